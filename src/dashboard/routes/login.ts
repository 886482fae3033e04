import { randomBytes } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginThrottle, UnknownSummary } from '../../auth/login-throttle.ts';
import { createSession, endSession } from '../../auth/sessions.ts';
import { authenticate, findUserByName, hasUsers } from '../../auth/users.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import type { Db } from '../../ledger/database.ts';
import { cookieOptions } from '../cookie-options.ts';
import { type Html, html } from '../html.ts';
import { sessionCookie } from '../plugins/authentication.ts';
import { sameSiteTarget } from '../safe-redirect.ts';
import { page } from '../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from './schemas.ts';

// Before login there is no session to hold a CSRF token, so the form pairs a cookie with a field.
const loginCsrfCookie = 'station_login_csrf';

const LoginQuery = Type.Composite([LanguageQuery, Type.Object({ next: Type.Optional(Type.String()) })]);
const LoginBody = Type.Composite([
  Type.Required(CsrfBody),
  Type.Object({
    name: Type.String({ maxLength: 100 }),
    password: Type.String({ maxLength: 1000 }),
    next: Type.Optional(Type.String()),
  }),
]);

/** Only a path on this site: `//evil.example` or a full URL would send a fresh session elsewhere. */
const safeNext = (next: string | undefined) => sameSiteTarget(next, '/');

export interface LoginOptions {
  throttle: LoginThrottle;
}

/** Unknown names tried from one address, as one entry: junk names cannot each write a row. */
export function logUnknownNames(db: Db, summary: UnknownSummary, now: Date): void {
  appendAudit(
    db,
    {
      actor: 'anonymous',
      action: 'login-failed',
      subjectType: 'source',
      subjectId: summary.source,
      detail: { unknownNames: summary.names, attempts: summary.attempts },
    },
    now,
  );
}

function loginForm(request: FastifyRequest, reply: FastifyReply, next: string, problem: Html | null): string {
  const { t } = request;
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(loginCsrfCookie, token, cookieOptions(request));
  const body = html`
${problem ?? ''}
<form method="post" action="/login" class="card" id="login-form">
<input type="hidden" name="_csrf" value="${token}">
<input type="hidden" name="next" value="${next}">
<p><label>${t('dash.login.name')}<br><input name="name" autocomplete="username" required autofocus></label></p>
<p><label>${t('dash.login.password')}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">${t('dash.login.submit')}</button></p>
</form>`;
  return page(request, { title: t('dash.login.title'), body });
}

export const loginRoutes: FastifyPluginAsync<LoginOptions> = async (app, { throttle }) => {
  const { db, clock } = app.station;
  // Summaries of unknown names are written when a source's window ends; looked for once a minute.
  let lastSweep = 0;
  const sweep = (now: Date, all = false) => {
    if (!all && now.getTime() - lastSweep < 60_000) return;
    lastSweep = now.getTime();
    for (const summary of throttle.dueSummaries(now, all)) logUnknownNames(db, summary, now);
  };
  app.addHook('onClose', async () => sweep(clock.now(), true));

  app.get<{ Querystring: Static<typeof LoginQuery> }>(
    '/login',
    { schema: { querystring: LoginQuery, response: { 200: HtmlPage } }, config: { public: true } },
    async (request, reply) => {
      if (!hasUsers(db)) return reply.redirect('/setup', 303);
      return reply
        .type('text/html; charset=utf-8')
        .send(loginForm(request, reply, safeNext(request.query.next), null));
    },
  );

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/login',
    {
      schema: { body: LoginBody, response: { 401: HtmlPage, 429: HtmlPage, ...formResponses } },
      config: { public: true },
    },
    async (request, reply) => {
      const now = clock.now();
      sweep(now);
      const { name, password, next } = request.body;
      const account = findUserByName(db, name);
      const refusal = throttle.refusal(request.ip, account?.name ?? null, now);
      if (refusal) {
        // Locked: the password is not even checked, so guessing gets nowhere and costs no scrypt.
        const minutes = Math.ceil(refusal.retryAfterMs / 60_000);
        return reply
          .code(429)
          .header('retry-after', Math.ceil(refusal.retryAfterMs / 1000))
          .type('text/html; charset=utf-8')
          .send(
            loginForm(
              request,
              reply,
              safeNext(next),
              html`<p class="bad" id="login-locked">${request.t('dash.login.locked', { minutes })}</p>`,
            ),
          );
      }
      const expected = request.cookies[loginCsrfCookie];
      const user =
        expected && expected === request.body._csrf ? await authenticate(db, name, password) : null;
      if (!user) {
        const report = throttle.failed(request.ip, account?.name ?? null, name, now);
        if (account)
          appendAudit(
            db,
            {
              actor: account.name,
              action: 'login-failed',
              subjectType: 'user',
              subjectId: account.id,
              detail: { source: request.ip },
            },
            now,
          );
        if (report.unknownSummary) logUnknownNames(db, report.unknownSummary, now);
        if (report.accountLocked && account)
          appendAudit(
            db,
            {
              actor: 'station',
              action: 'login-locked',
              subjectType: 'user',
              subjectId: account.id,
              detail: {
                name: account.name,
                until: report.accountLocked.until.toISOString(),
                failures: report.accountLocked.failures,
                source: request.ip,
              },
            },
            now,
          );
        if (report.sourceLocked)
          appendAudit(
            db,
            {
              actor: 'station',
              action: 'login-throttled',
              subjectType: 'source',
              subjectId: request.ip,
              detail: {
                until: report.sourceLocked.until.toISOString(),
                failures: report.sourceLocked.failures,
              },
            },
            now,
          );
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .send(
            loginForm(
              request,
              reply,
              safeNext(next),
              html`<p class="bad" id="login-error">${request.t('dash.login.failed')}</p>`,
            ),
          );
      }
      throttle.succeeded(user.name);
      const session = createSession(db, user.id, now);
      appendAudit(db, { actor: user.name, action: 'login', subjectType: 'user', subjectId: user.id }, now);
      reply.clearCookie(loginCsrfCookie, { path: '/' });
      reply.setCookie(sessionCookie, session.token, cookieOptions(request));
      return reply.redirect(safeNext(next), 303);
    },
  );

  app.post<{ Body: Static<typeof CsrfBody> }>(
    '/logout',
    { schema: { body: CsrfBody, response: formResponses }, config: { permission: 'anyone' } },
    async (request, reply) => {
      const cookie = request.cookies[sessionCookie];
      if (cookie) {
        endSession(db, cookie);
        app.dockStream.endSession(cookie);
      }
      appendAudit(
        db,
        { actor: request.user!.name, action: 'logout', subjectType: 'user', subjectId: request.user!.id },
        clock.now(),
      );
      reply.clearCookie(sessionCookie, { path: '/' });
      return reply.redirect('/login', 303);
    },
  );
};
