import { randomBytes } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createSession, endSession } from '../../auth/sessions.ts';
import { authenticate, hasUsers } from '../../auth/users.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import { html } from '../html.ts';
import { sessionCookie } from '../plugins/authentication.ts';
import { page } from '../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage } from './schemas.ts';

// Before login there is no session to hold a CSRF token, so the form pairs a cookie with a field.
const loginCsrfCookie = 'station_login_csrf';
const cookieOptions = { httpOnly: true, sameSite: 'strict', path: '/' } as const;

const LoginQuery = Type.Object({ next: Type.Optional(Type.String()), lang: Type.Optional(Type.String()) });
const LoginBody = Type.Object({
  name: Type.String({ maxLength: 100 }),
  password: Type.String({ maxLength: 1000 }),
  next: Type.Optional(Type.String()),
  _csrf: Type.String(),
});

/** Only a path on this site: `//evil.example` or a full URL would send a fresh session elsewhere. */
function safeNext(next: string | undefined): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export interface LoginOptions {
  /** Attempts per user name and address per minute. */
  maxAttempts: number;
}

function loginForm(request: FastifyRequest, token: string, next: string, failed: boolean): string {
  const { t } = request;
  const body = html`
${failed ? html`<p class="bad" id="login-error">${t('dash.login.failed')}</p>` : ''}
<form method="post" action="/login" class="card" id="login-form">
<input type="hidden" name="_csrf" value="${token}">
<input type="hidden" name="next" value="${next}">
<p><label>${t('dash.login.name')}<br><input name="name" autocomplete="username" required autofocus></label></p>
<p><label>${t('dash.login.password')}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">${t('dash.login.submit')}</button></p>
</form>`;
  return page(request, { title: t('dash.login.title'), body });
}

export const loginRoutes: FastifyPluginAsync<LoginOptions> = async (app, options) => {
  app.get<{ Querystring: Static<typeof LoginQuery> }>(
    '/login',
    { schema: { querystring: LoginQuery, response: { 200: HtmlPage } }, config: { public: true } },
    async (request, reply) => {
      if (!hasUsers(app.station.db)) return reply.redirect('/setup', 303);
      const token = randomBytes(24).toString('base64url');
      reply.setCookie(loginCsrfCookie, token, cookieOptions);
      return reply
        .type('text/html; charset=utf-8')
        .send(loginForm(request, token, safeNext(request.query.next), false));
    },
  );

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/login',
    {
      schema: { body: LoginBody, response: { 401: HtmlPage, ...formResponses } },
      config: {
        public: true,
        rateLimit: {
          max: options.maxAttempts,
          timeWindow: 60_000,
          keyGenerator: (request) =>
            `${request.ip}|${(request.body as { name?: string } | undefined)?.name ?? ''}`,
        },
      },
    },
    async (request, reply) => {
      const { db, clock } = app.station;
      const { name, password, next } = request.body;
      const expected = request.cookies[loginCsrfCookie];
      const user =
        expected && expected === request.body._csrf ? await authenticate(db, name, password) : null;
      if (!user) {
        appendAudit(
          db,
          { actor: name, action: 'login-failed', subjectType: 'user', subjectId: name },
          clock.now(),
        );
        const token = randomBytes(24).toString('base64url');
        reply.setCookie(loginCsrfCookie, token, cookieOptions);
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .send(loginForm(request, token, safeNext(next), true));
      }
      const session = createSession(db, user.id, clock.now());
      appendAudit(
        db,
        { actor: user.name, action: 'login', subjectType: 'user', subjectId: user.id },
        clock.now(),
      );
      reply.clearCookie(loginCsrfCookie, { path: '/' });
      reply.setCookie(sessionCookie, session.token, cookieOptions);
      return reply.redirect(safeNext(next), 303);
    },
  );

  app.post<{ Body: Static<typeof CsrfBody> }>(
    '/logout',
    { schema: { body: CsrfBody, response: formResponses }, config: { permission: 'anyone' } },
    async (request, reply) => {
      const cookie = request.cookies[sessionCookie];
      if (cookie) endSession(app.station.db, cookie);
      appendAudit(
        app.station.db,
        { actor: request.user!.name, action: 'logout', subjectType: 'user', subjectId: request.user!.id },
        app.station.clock.now(),
      );
      reply.clearCookie(sessionCookie, { path: '/' });
      return reply.redirect('/login', 303);
    },
  );
};
