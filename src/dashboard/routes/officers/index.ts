import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { listUsers, type User } from '../../../auth/users.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { listOfficers, saveOfficer } from '../../../ledger/officers.ts';
import { allows } from '../../access.ts';
import { html } from '../../html.ts';
import { type FieldErrors, fieldError, invalid } from '../../views/field-error.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

// Blank fields are answered beside the field, so they pass the schema and are checked here.
const OfficerBody = Type.Composite([
  CsrfBody,
  Type.Object({
    badge: Type.String({ maxLength: 50 }),
    name: Type.String({ maxLength: 100 }),
    unit: Type.Optional(Type.String({ maxLength: 100 })),
  }),
]);
type OfficerBody = Static<typeof OfficerBody>;

export const officerRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;

  const officersPage = (request: FastifyRequest, form?: { values: OfficerBody; errors: FieldErrors }) => {
    const { t } = request;
    const officers = listOfficers(db);
    // The officer's login, where one links to the record through its badge.
    const accounts = new Map<string, User[]>();
    for (const user of listUsers(db).filter((user) => user.role === 'officer' && user.badge))
      accounts.set(user.badge!, [...(accounts.get(user.badge!) ?? []), user]);
    // Account names mean something only to whoever keeps the accounts.
    const seesAccounts = allows('users', request.user!.role);
    const values = form?.values;
    const errors = form?.errors ?? {};
    const accountCell = (badge: string) => {
      const linked = accounts.get(badge) ?? [];
      if (!linked.length) return html`<span class="muted">${t('dash.officers.noAccount')}</span>`;
      return linked.map(
        (user, index) =>
          html`${index ? ', ' : ''}${seesAccounts ? html`<a href="/users#user-${user.id}">${user.name}</a>` : user.name}${user.awaitingConfirmation ? html` <span class="muted">(${t('dash.users.awaiting')})</span>` : user.disabled ? html` <span class="muted">(${t('dash.users.disabled')})</span>` : ''}`,
      );
    };
    const body = html`<table id="officers"><thead><tr><th>${t('ledger.badge')}</th><th>${t('ledger.officerName')}</th><th>${t('dash.officers.unit')}</th><th>${t('dash.officers.account')}</th><th>${t('dash.officers.added')}</th></tr></thead>
<tbody>${officers.map((officer) => html`<tr id="officer-${officer.badge}" data-badge="${officer.badge}"><td>${officer.badge}</td><td>${officer.name}</td><td>${officer.unit ?? ''}</td><td class="account">${accountCell(officer.badge)}</td><td>${formatDateTime(officer.createdAt, config.station.timezone)}</td></tr>`)}</tbody></table>
${
  allows('manageOfficers', request.user!.role)
    ? html`<form method="post" action="/officers" class="card filters" id="add-officer">${csrfField(request)}
<strong>${t('dash.officers.add')}</strong>
${form ? html`<p class="bad" id="add-officer-problem" style="flex-basis:100%">${t('dash.officers.formProblem')}</p>` : ''}
<label>${t('ledger.badge')}<input name="badge" required value="${values?.badge ?? ''}" aria-invalid="${invalid(errors, 'badge')}">${fieldError(errors, 'badge', 'officer-badge')}</label>
<label>${t('ledger.officerName')}<input name="name" required value="${values?.name ?? ''}" aria-invalid="${invalid(errors, 'name')}">${fieldError(errors, 'name', 'officer-name')}</label>
<label>${t('dash.officers.unit')}<input name="unit" value="${values?.unit ?? ''}"></label><button type="submit">${t('dash.save')}</button></form>`
    : ''
}`;
    return page(request, { title: t('dash.nav.officers'), current: '/officers', body });
  };

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/officers',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'officers' },
    },
    async (request, reply) => reply.type('text/html; charset=utf-8').send(officersPage(request)),
  );

  app.post<{ Body: OfficerBody }>(
    '/officers',
    {
      schema: { body: OfficerBody, response: { ...formResponses, 400: HtmlPage } },
      config: { permission: 'manageOfficers' },
    },
    async (request, reply) => {
      const { t, body } = request;
      const errors: FieldErrors = {};
      if (!body.badge.trim()) errors.badge = t('dash.officers.error.badgeEmpty');
      if (!body.name.trim()) errors.name = t('dash.officers.error.nameEmpty');
      if (Object.keys(errors).length)
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(officersPage(request, { values: body, errors }));
      db.transaction(() => {
        const officer = saveOfficer(
          db,
          { badge: body.badge, name: body.name, unit: body.unit || null },
          clock.now(),
        );
        appendAudit(
          db,
          {
            actor: request.user!.name,
            action: 'officer-change',
            subjectType: 'officer',
            subjectId: officer.badge,
            detail: { name: officer.name, unit: officer.unit },
          },
          clock.now(),
        );
      }).immediate();
      return reply.redirect('/officers', 303);
    },
  );
};
