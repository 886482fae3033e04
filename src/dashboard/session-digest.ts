import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sessionCookie } from './plugins/authentication.ts';

/**
 * Names the session (or API token) a request came with, for coalescing what it was served: a short
 * digest, never the secret itself, so the audit log opens no session.
 */
export function sessionDigest(request: FastifyRequest): string {
  const secret = request.cookies[sessionCookie] ?? request.headers.authorization ?? `address ${request.ip}`;
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
