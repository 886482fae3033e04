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
  app.addHook('onSend', async (request, reply) => {
    reply.headers(headers);
    // Once a browser has seen the station over TLS, it refuses to fall back to plain HTTP.
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    // Ledger pages hold personal data; an office PC's browser cache must not keep them.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
});
