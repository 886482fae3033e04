import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  createApiToken,
  defaultTokenDays,
  listApiTokens,
  maximumTokenDays,
  revokeApiToken,
} from '../../../auth/api-tokens.ts';
import { roles } from '../../../auth/roles.ts';
import {
  findUserById,
  listUsers,
  setRealName,
  setUserDisabled,
  type User,
  UserError,
} from '../../../auth/users.ts';
import { addAccount } from '../../../custody/account-confirmation.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { listOfficers } from '../../../ledger/officers.ts';
import { html } from '../../html.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { userErrorText } from '../../plugins/errors.ts';
import { type FieldErrors, fieldError, invalid } from '../../views/field-error.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, IdParams, LanguageQuery } from '../schemas.ts';
import { type NewToken, TokenHandOver } from './token-hand-over.ts';

const UserBody = Type.Composite([
  CsrfBody,
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Union(roles.map((role) => Type.Literal(role))),
    realName: Type.Optional(Type.String({ maxLength: 100 })),
    badge: Type.Optional(Type.String({ maxLength: 50 })),
    password: Type.String({ minLength: 1, maxLength: 1000 }),
  }),
]);
const RealNameBody = Type.Composite([
  CsrfBody,
  Type.Object({ realName: Type.String({ minLength: 1, maxLength: 100 }) }),
]);
const DisabledBody = Type.Composite([CsrfBody, Type.Object({ disabled: Type.Boolean() })]);
const TokenBody = Type.Composite([
  CsrfBody,
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: maximumTokenDays })),
  }),
]);
const UsersQuery = Type.Composite([LanguageQuery, Type.Object({ token: Type.Optional(Type.String()) })]);

export const userRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;
  const handOver = new TokenHandOver();
  const logChange = (actor: string, subjectId: number | string, detail: Record<string, unknown>) =>
    appendAudit(db, { actor, action: 'user-change', subjectType: 'user', subjectId, detail }, clock.now());

  /** What the add-user form held when it was refused, and why, field by field. */
  interface AddForm {
    values: Partial<Record<'name' | 'realName' | 'role' | 'badge', string>>;
    errors: FieldErrors;
  }

  const usersPage = (request: FastifyRequest, newToken: NewToken | null, form?: AddForm) => {
    const { t } = request;
    const users = listUsers(db);
    const tokens = listApiTokens(db);
    const nameOf = new Map(users.map((user) => [user.id, user.name]));
    const officers = new Set(listOfficers(db).map((officer) => officer.badge));
    const now = clock.now().getTime();
    const values = form?.values ?? {};
    const errors = form?.errors ?? {};
    // An officer account is its 执法人员 record's: the name comes from there, the badge links to it.
    const officerCell = (user: User) =>
      user.badge === null
        ? ''
        : officers.has(user.badge)
          ? html`<a href="/officers#officer-${user.badge}" class="officer-record">${user.badge}</a>`
          : html`${user.badge} <span class="bad">${t('dash.users.error.noOfficer', { badge: user.badge })}</span>`;
    const realNameCell = (user: User) =>
      user.role === 'officer'
        ? (user.realName ?? '')
        : html`<form class="inline" method="post" action="/users/${user.id}/real-name">${csrfField(request)}<input name="realName" value="${user.realName ?? ''}" size="8" required aria-label="${t('dash.users.realName')}"> <button type="submit">${t('dash.users.saveRealName')}</button></form>`;
    const body = html`
${newToken ? html`<p class="message">${t('dash.users.tokenOnce', { name: newToken.name, user: newToken.user })} <code id="new-token">${newToken.token}</code></p>` : ''}
<table id="users"><thead><tr><th>${t('dash.users.name')}</th><th>${t('dash.users.realName')}</th><th>${t('dash.users.role')}</th><th>${t('dash.users.officerRecord')}</th><th>${t('dash.users.status')}</th><th>${t('dash.users.created')}</th><th></th></tr></thead>
<tbody>${users.map(
      (
        user,
      ) => html`<tr id="user-${user.id}" data-user="${user.name}"><td>${user.name}</td><td class="real-name">${realNameCell(user)}</td><td>${t(`dash.role.${user.role}` as MessageKey)}</td><td>${officerCell(user)}</td>
<td>${user.awaitingConfirmation ? html`<span class="bad awaiting">${t('dash.users.awaiting')}</span>` : user.disabled ? html`<span class="bad">${t('dash.users.disabled')}</span>` : t('dash.users.enabled')}</td><td>${formatDateTime(user.createdAt, zone)}</td>
<td><form class="inline" method="post" action="/users/${user.id}/disabled">${csrfField(request)}<input type="hidden" name="disabled" value="${user.disabled ? 'false' : 'true'}">
<button type="submit">${user.disabled ? t('dash.users.enable') : t('dash.users.disable')}</button></form>
${
  user.id === request.user!.id
    ? html`<form class="inline" method="post" action="/users/${user.id}/tokens">${csrfField(request)}<input name="name" placeholder="${t('dash.users.tokenName')}" required size="12">
<label>${t('dash.users.tokenDays')} <input name="days" type="number" min="1" max="${maximumTokenDays}" value="${defaultTokenDays}" size="4"></label>
<button type="submit">${t('dash.users.newToken')}</button></form>`
    : ''
}</td></tr>`,
    )}</tbody></table>
<form method="post" action="/users" class="card filters" id="add-user">${csrfField(request)}
<strong>${t('dash.users.add')}</strong>
${form ? html`<p class="bad" id="add-user-problem" style="flex-basis:100%">${t('dash.users.formProblem')}</p>` : ''}
<label>${t('dash.users.name')}<input name="name" required value="${values.name ?? ''}" aria-invalid="${invalid(errors, 'name')}">${fieldError(errors, 'name', 'user-name')}</label>
<label>${t('dash.users.realName')}<input name="realName" value="${values.realName ?? ''}" aria-invalid="${invalid(errors, 'realName')}" title="${t('dash.users.realNameHint')}">${fieldError(errors, 'realName', 'real-name')}</label>
<label>${t('dash.users.role')}<select name="role" aria-invalid="${invalid(errors, 'role')}">${roles.map((role) => html`<option value="${role}" ${values.role === role ? 'selected' : ''}>${t(`dash.role.${role}` as MessageKey)}</option>`)}</select>${fieldError(errors, 'role')}</label>
<label>${t('ledger.badge')}<input name="badge" value="${values.badge ?? ''}" aria-invalid="${invalid(errors, 'badge')}">${fieldError(errors, 'badge')}</label>
<label>${t('dash.login.password')}<input name="password" type="password" autocomplete="new-password" required aria-invalid="${invalid(errors, 'password')}">${fieldError(errors, 'password')}</label>
<button type="submit">${t('dash.save')}</button>
<p class="muted" style="flex-basis:100%">${t('dash.users.realNameHint')}</p></form>
<h2>${t('dash.users.tokens')}</h2>
<table id="tokens"><thead><tr><th>${t('dash.users.tokenName')}</th><th>${t('dash.users.name')}</th><th>${t('dash.users.created')}</th><th>${t('dash.users.expires')}</th><th>${t('dash.users.lastUsed')}</th><th></th></tr></thead>
<tbody>${tokens.map(
      (
        token,
      ) => html`<tr><td>${token.name}</td><td>${nameOf.get(token.userId) ?? ''}</td><td>${formatDateTime(token.createdAt, zone)}</td>
<td class="${Date.parse(token.expiresAt) <= now ? 'bad' : ''}">${formatDateTime(token.expiresAt, zone)}</td><td>${formatDateTime(token.lastUsedAt, zone)}</td>
<td>${token.revokedAt ? html`<span class="muted">${t('dash.users.revoked')}</span>` : html`<form class="inline" method="post" action="/users/tokens/${token.id}/revoke">${csrfField(request)}<button type="submit">${t('dash.users.revoke')}</button></form>`}</td></tr>`,
    )}</tbody></table>`;
    return page(request, { title: t('dash.nav.users'), current: '/users', body });
  };

  /** A refused form answered on the same page: the fields as typed (never the password), the problem beside its field. */
  const refusedForm = (request: FastifyRequest, reply: FastifyReply, form: AddForm) =>
    reply
      .code(400)
      .type('text/html; charset=utf-8')
      .send(usersPage(request, null, form));

  app.get<{ Querystring: Static<typeof UsersQuery> }>(
    '/users',
    { schema: { querystring: UsersQuery, response: { 200: HtmlPage } }, config: { permission: 'users' } },
    async (request, reply) => {
      const newToken = handOver.take(request.query.token, request.user!.id, clock.now());
      // A page holding a secret must not stay in any cache.
      if (newToken) reply.header('cache-control', 'no-store');
      return reply.type('text/html; charset=utf-8').send(usersPage(request, newToken));
    },
  );

  app.post<{ Body: Static<typeof UserBody> }>(
    '/users',
    {
      schema: { body: UserBody, response: { ...formResponses, 400: HtmlPage } },
      config: { permission: 'users' },
    },
    async (request, reply) => {
      const { name, role, badge, password } = request.body;
      const realName = request.body.realName?.trim() ?? '';
      const values = { name, realName, role, badge };
      // A person, not only a login: everyone but an officer (named by their 执法人员 record) gives a name.
      if (role !== 'officer' && !realName)
        return refusedForm(request, reply, {
          values,
          errors: { realName: request.t('dash.users.error.realNameEmpty') },
        });
      try {
        // An account in a footage role waits for a leader's confirmation (custody/account-confirmation.ts).
        await addAccount(
          db,
          { name, role, badge: badge || null, realName: realName || null, password },
          request.user!.name,
          clock.now(),
        );
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        return refusedForm(request, reply, {
          values,
          errors: { [error.field ?? 'name']: userErrorText(request, error) },
        });
      }
      return reply.redirect('/users', 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RealNameBody> }>(
    '/users/:id/real-name',
    {
      schema: { params: IdParams, body: RealNameBody, response: formResponses },
      config: { permission: 'users' },
    },
    async (request, reply) => {
      const user = findUserById(db, request.params.id);
      if (!user) throw new HttpError(404, request.t('dash.error.notFound'));
      setRealName(db, user.id, request.body.realName);
      logChange(request.user!.name, user.id, { realName: request.body.realName.trim() });
      return reply.redirect('/users', 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DisabledBody> }>(
    '/users/:id/disabled',
    {
      schema: { params: IdParams, body: DisabledBody, response: formResponses },
      config: { permission: 'users' },
    },
    async (request, reply) => {
      const user = findUserById(db, request.params.id);
      if (!user) throw new HttpError(404, request.t('dash.error.notFound'));
      // An admin who disables themselves would lock the station out of its own user management.
      if (user.id === request.user!.id && request.body.disabled)
        throw new HttpError(400, request.t('dash.users.notSelf'));
      setUserDisabled(db, user.id, request.body.disabled);
      if (request.body.disabled) app.dockStream.endUser(user.id);
      logChange(request.user!.name, user.id, { disabled: request.body.disabled });
      return reply.redirect('/users', 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TokenBody> }>(
    '/users/:id/tokens',
    {
      schema: { params: IdParams, body: TokenBody, response: formResponses },
      config: { permission: 'users' },
    },
    async (request, reply) => {
      const user = findUserById(db, request.params.id);
      if (!user) throw new HttpError(404, request.t('dash.error.notFound'));
      // A token acts as its user: an admin minting one for a leader would be that leader. Each
      // user mints their own (`station users token`); the admin only for themselves.
      if (user.id !== request.user!.id) {
        appendAudit(
          db,
          {
            actor: request.user!.name,
            action: 'access-refused',
            subjectType: 'user',
            subjectId: user.id,
            detail: { attempted: 'api token for another user', user: user.name },
          },
          clock.now(),
        );
        throw new HttpError(403, request.t('dash.users.tokenOwnOnly'));
      }
      const name = request.body.name.trim();
      const days = request.body.days ?? defaultTokenDays;
      const { id, token, expiresAt } = createApiToken(db, user.id, name, clock.now(), days);
      logChange(request.user!.name, user.id, { apiToken: id, name: request.body.name, expiresAt });
      // Shown once, on the page this redirects to; the station keeps only a hash.
      const key = handOver.hold({ token, name, user: user.name }, request.user!.id, clock.now());
      return reply.redirect(`/users?token=${key}`, 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CsrfBody> }>(
    '/users/tokens/:id/revoke',
    {
      schema: { params: IdParams, body: CsrfBody, response: formResponses },
      config: { permission: 'users' },
    },
    async (request, reply) => {
      revokeApiToken(db, request.params.id, clock.now());
      logChange(request.user!.name, `token-${request.params.id}`, { revokedToken: request.params.id });
      return reply.redirect('/users', 303);
    },
  );
};
