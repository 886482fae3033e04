import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { appendAudit } from '../../../custody/audit-log.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { listOfficers, saveOfficer } from '../../../ledger/officers.ts';
import { allows } from '../../access.ts';
import { html } from '../../html.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

const OfficerBody = Type.Composite([
  CsrfBody,
  Type.Object({
    badge: Type.String({ minLength: 1, maxLength: 50 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    unit: Type.Optional(Type.String({ maxLength: 100 })),
  }),
]);

export const officerRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/officers',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'officers' },
    },
    async (request, reply) => {
      const { t } = request;
      const officers = listOfficers(db);
      const body = html`<table id="officers"><thead><tr><th>${t('ledger.badge')}</th><th>${t('ledger.officerName')}</th><th>${t('dash.officers.unit')}</th><th>${t('dash.officers.added')}</th></tr></thead>
<tbody>${officers.map((officer) => html`<tr><td>${officer.badge}</td><td>${officer.name}</td><td>${officer.unit ?? ''}</td><td>${formatDateTime(officer.createdAt, config.station.timezone)}</td></tr>`)}</tbody></table>
${
  allows('manageOfficers', request.user!.role)
    ? html`<form method="post" action="/officers" class="card filters" id="add-officer">${csrfField(request)}
<strong>${t('dash.officers.add')}</strong>
<label>${t('ledger.badge')}<input name="badge" required></label><label>${t('ledger.officerName')}<input name="name" required></label>
<label>${t('dash.officers.unit')}<input name="unit"></label><button type="submit">${t('dash.save')}</button></form>`
    : ''
}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.officers'), current: '/officers', body }));
    },
  );

  app.post<{ Body: Static<typeof OfficerBody> }>(
    '/officers',
    { schema: { body: OfficerBody, response: formResponses }, config: { permission: 'manageOfficers' } },
    async (request, reply) => {
      db.transaction(() => {
        const officer = saveOfficer(
          db,
          { badge: request.body.badge, name: request.body.name, unit: request.body.unit || null },
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
