import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { minimumPasswordLength } from '../../../auth/password-policy.ts';
import { createSession } from '../../../auth/sessions.ts';
import { authenticate, setPassword, UserError } from '../../../auth/users.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import { cookieOptions } from '../../cookie-options.ts';
import { html } from '../../html.ts';
import { sessionCookie } from '../../plugins/authentication.ts';
import { userErrorText } from '../../plugins/errors.ts';
import { csrfField, page } from '../../views/layout.ts';
import type { LoginOptions } from '../login.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

const PasswordQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    changed: Type.Optional(Type.Literal('1')),
  }),
]);
const PasswordBody = Type.Composite([
  CsrfBody,
  Type.Object({
    current: Type.String({ maxLength: 1000 }),
    password: Type.String({ maxLength: 1000 }),
    repeat: Type.String({ maxLength: 1000 }),
  }),
]);

/** The logged-in user's own account: for now, changing the password. */
export const accountRoutes: FastifyPluginAsync<LoginOptions> = async (app, { throttle }) => {
  const { db, clock } = app.station;

  const passwordPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    message: string | null,
  ) => {
    const { t } = request;
    const changed = (request.query as Static<typeof PasswordQuery>).changed === '1';
    const body = html`
${changed ? html`<p class="message" id="password-changed">${t('dash.password.changed')}</p>` : ''}
${message ? html`<p class="bad" id="password-error">${message}</p>` : ''}
<form method="post" action="/account/password" class="card" id="password-form">${csrfField(request)}
<p><label>${t('dash.password.current')}<br><input name="current" type="password" autocomplete="current-password" required></label></p>
<p><label>${t('dash.password.new')}<br><input name="password" type="password" autocomplete="new-password" required minlength="${minimumPasswordLength}"></label></p>
<p><label>${t('dash.setup.repeat')}<br><input name="repeat" type="password" autocomplete="new-password" required></label></p>
<p class="muted">${t('dash.password.rules', { min: minimumPasswordLength })}</p>
<p><button type="submit">${t('dash.save')}</button></p>
</form>`;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(page(request, { title: t('dash.password.title'), current: '/account/password', body }));
  };

  app.get<{ Querystring: Static<typeof PasswordQuery> }>(
    '/account/password',
    { schema: { querystring: PasswordQuery, response: { 200: HtmlPage } }, config: { permission: 'anyone' } },
    async (request, reply) => passwordPage(request, reply, 200, null),
  );

  app.post<{ Body: Static<typeof PasswordBody> }>(
    '/account/password',
    {
      schema: { body: PasswordBody, response: { 400: HtmlPage, 429: HtmlPage, ...formResponses } },
      config: { permission: 'anyone' },
    },
    async (request, reply) => {
      const now = clock.now();
      const user = request.user!;
      const { current, password, repeat } = request.body;
      // A stolen session must not become a way to guess the current password without limit.
      const refusal = throttle.refusal(request.ip, user.name, now);
      if (refusal)
        return passwordPage(
          request,
          reply,
          429,
          request.t('dash.login.locked', { minutes: Math.ceil(refusal.retryAfterMs / 60_000) }),
        );
      if (!(await authenticate(db, user.name, current))) {
        throttle.failed(request.ip, user.name, user.name, now);
        appendAudit(
          db,
          {
            actor: user.name,
            action: 'login-failed',
            subjectType: 'user',
            subjectId: user.id,
            detail: { source: request.ip, via: 'password-change' },
          },
          now,
        );
        return passwordPage(request, reply, 400, request.t('dash.password.wrongCurrent'));
      }
      if (password !== repeat) return passwordPage(request, reply, 400, request.t('dash.setup.mismatch'));
      try {
        await setPassword(db, user.id, password);
      } catch (error) {
        if (error instanceof UserError)
          return passwordPage(request, reply, 400, userErrorText(request, error));
        throw error;
      }
      appendAudit(
        db,
        { actor: user.name, action: 'password-change', subjectType: 'user', subjectId: user.id, detail: {} },
        now,
      );
      // Every other session of the user ended with the old password; this browser gets a new one.
      app.dockStream.endUser(user.id);
      reply.setCookie(sessionCookie, createSession(db, user.id, now).token, cookieOptions(request));
      return reply.redirect('/account/password?changed=1', 303);
    },
  );
};
