import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { formResponses } from './schemas.ts';

const scripts = ['docks.js'] as const;

export const rootRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/',
    { schema: { response: formResponses }, config: { permission: 'anyone' } },
    async (request, reply) =>
      reply.redirect(
        request.user!.role === 'admin' ? '/users' : request.user!.role === 'ops' ? '/devices' : '/docks',
        303,
      ),
  );

  // Browsers ask for it on every page; an icon also tells the station's tab apart from others.
  const icon =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f3b5a"/>' +
    '<rect x="3" y="5" width="7" height="6" rx="1" fill="#fff"/><path d="M10 7l3-2v6l-3-2z" fill="#fff"/></svg>';
  app.get(
    '/favicon.ico',
    { schema: { response: { 200: Type.String() } }, config: { public: true } },
    async (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(icon),
  );

  // The little browser code there is, read once; served without login so the login page could use it.
  const bodies = new Map<string, string>();
  for (const name of scripts)
    bodies.set(name, await readFile(new URL(`../public/${name}`, import.meta.url), 'utf8'));
  app.get<{ Params: { name: string } }>(
    '/static/:name',
    {
      schema: {
        params: Type.Object({ name: Type.Union(scripts.map((name) => Type.Literal(name))) }),
        response: { 200: Type.String() },
      },
      config: { public: true },
    },
    async (request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'max-age=3600')
        .send(bodies.get(request.params.name)),
  );
};
