import { sharedPlugin } from './shared-plugin.ts';

// Pages only ever load their own scripts and media; nothing may frame them or guess content types.
const headers = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; media-src 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export const securityHeadersPlugin = sharedPlugin('security-headers', async (app) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(headers);
    // Ledger pages hold personal data; an office PC's browser cache must not keep them.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
});
