import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { sharedPlugin } from './shared-plugin.ts';

/** Third-party plugins, first in the tree. Rate limits apply only where a route asks (the login form). */
export const externalPlugins = sharedPlugin('external', async (app) => {
  await app.register(cookie);
  await app.register(formbody);
  // After the body is parsed, so the key can include the user name being tried.
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
});
