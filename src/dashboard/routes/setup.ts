import { randomBytes } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { minimumPasswordLength } from '../../auth/password-policy.ts';
import { createSession } from '../../auth/sessions.ts';
import { addUser, hasUsers, UserError } from '../../auth/users.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import { cookieOptions } from '../cookie-options.ts';
import { html } from '../html.ts';
import { sessionCookie } from '../plugins/authentication.ts';
import { userErrorText } from '../plugins/errors.ts';
import { page } from '../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from './schemas.ts';

// First run: a fresh station has no users, so the first admin is made here — only while no user
// exists, and only from the station PC itself, since anyone who reaches this form becomes admin.
const setupCsrfCookie = 'station_setup_csrf';

// Before a session the token is required: it is checked against its cookie here, not by the session.
const SetupBody = Type.Composite([
  Type.Required(CsrfBody),
  Type.Object({
    name: Type.String({ maxLength: 100 }),
    password: Type.String({ maxLength: 1000 }),
    repeat: Type.String({ maxLength: 1000 }),
  }),
]);

function isLocal(request: FastifyRequest): boolean {
  return ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.socket.remoteAddress ?? '');
}

function setupForm(request: FastifyRequest, reply: FastifyReply, problem: string | null, status = 200) {
  const { t } = request;
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(setupCsrfCookie, token, cookieOptions(request));
  const body = html`<p>${t('dash.setup.intro')}</p>
${problem ? html`<p class="bad" id="setup-error">${problem}</p>` : ''}
<form method="post" action="/setup" class="card" id="setup-form">
<input type="hidden" name="_csrf" value="${token}">
<p><label>${t('dash.login.name')}<br><input name="name" value="admin" autocomplete="username" required></label></p>
<p><label>${t('dash.login.password')}<br><input name="password" type="password" autocomplete="new-password" required minlength="${minimumPasswordLength}"></label></p>
<p><label>${t('dash.setup.repeat')}<br><input name="repeat" type="password" autocomplete="new-password" required></label></p>
<p><button type="submit">${t('dash.setup.submit')}</button></p>
</form>`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page(request, { title: t('dash.setup.title'), body }));
}

function refuseRemote(request: FastifyRequest, reply: FastifyReply) {
  const body = html`<p class="bad" id="setup-remote">${request.t('dash.setup.remote')}</p>`;
  return reply
    .code(403)
    .type('text/html; charset=utf-8')
    .send(page(request, { title: request.t('dash.setup.title'), body }));
}

export const setupRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/setup',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage, 403: HtmlPage } },
      config: { public: true },
    },
    async (request, reply) => {
      if (hasUsers(app.station.db)) return reply.redirect('/login', 303);
      if (!isLocal(request)) return refuseRemote(request, reply);
      return setupForm(request, reply, null);
    },
  );

  app.post<{ Body: Static<typeof SetupBody> }>(
    '/setup',
    {
      schema: { body: SetupBody, response: { 400: HtmlPage, 403: HtmlPage, ...formResponses } },
      config: { public: true, rateLimit: { max: 10, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const { db, clock } = app.station;
      if (hasUsers(db)) return reply.redirect('/login', 303);
      if (!isLocal(request)) return refuseRemote(request, reply);
      const { name, password, repeat, _csrf } = request.body;
      if (!request.cookies[setupCsrfCookie] || request.cookies[setupCsrfCookie] !== _csrf) {
        return setupForm(request, reply, request.t('dash.setup.expired'), 400);
      }
      if (password !== repeat) return setupForm(request, reply, request.t('dash.setup.mismatch'), 400);
      let user: Awaited<ReturnType<typeof addUser>>;
      try {
        user = await addUser(db, { name, role: 'admin', password }, clock.now());
      } catch (error) {
        if (error instanceof UserError) return setupForm(request, reply, userErrorText(request, error), 400);
        throw error;
      }
      appendAudit(
        db,
        {
          actor: user.name,
          action: 'user-change',
          subjectType: 'user',
          subjectId: user.id,
          detail: { created: 'first admin', role: 'admin' },
        },
        clock.now(),
      );
      reply.clearCookie(setupCsrfCookie, { path: '/' });
      reply.setCookie(sessionCookie, createSession(db, user.id, clock.now()).token, cookieOptions(request));
      return reply.redirect('/', 303);
    },
  );
};
