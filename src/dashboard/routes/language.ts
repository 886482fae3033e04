import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { cookieOptions } from '../cookie-options.ts';
import { languageCookie } from '../plugins/language.ts';
import { sameSiteTarget } from '../safe-redirect.ts';
import { formResponses } from './schemas.ts';

const LanguageSwitch = Type.Object({
  to: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
  back: Type.Optional(Type.String()),
});

export const languageRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: Static<typeof LanguageSwitch> }>(
    '/language',
    { schema: { querystring: LanguageSwitch, response: formResponses }, config: { public: true } },
    async (request, reply) => {
      reply.setCookie(languageCookie, request.query.to, {
        ...cookieOptions(request),
        maxAge: 365 * 24 * 3600,
      });
      const back = sameSiteTarget(request.query.back, '/');
      // Drop a ?lang= in the page we return to, or it would override the cookie just set.
      const target = back.replace(/([?&])lang=[^&]*&?/, '$1');
      return reply.redirect(target.replace(/[?&]$/, ''), 303);
    },
  );
};
