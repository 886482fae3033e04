import type { FastifyRequest } from 'fastify';

/**
 * Every cookie the station sets: script cannot read it, other sites cannot send it, and over TLS it
 * never travels in clear text (`Secure`).
 */
export function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' } as const;
}
