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
