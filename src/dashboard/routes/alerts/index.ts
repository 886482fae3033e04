import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { alertMessage, alertSubject } from '../../../compliance/alert-messages.ts';
import { alertKinds, stationAlerts } from '../../../compliance/alerts.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { html } from '../../html.ts';
import { page } from '../../views/layout.ts';
import { HtmlPage, LanguageQuery } from '../schemas.ts';

const AlertsQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    kind: Type.Optional(Type.Union([Type.Literal(''), ...alertKinds.map((kind) => Type.Literal(kind))])),
    /** Every alert, not only those the reader's role acts on. */
    all: Type.Optional(Type.Boolean()),
  }),
]);

export const alertRoutes: FastifyPluginAsync = async (app) => {
  const zone = app.station.config.station.timezone;
  app.get<{ Querystring: Static<typeof AlertsQuery> }>(
    '/alerts',
    { schema: { querystring: AlertsQuery, response: { 200: HtmlPage } }, config: { permission: 'alerts' } },
    async (request, reply) => {
      const { t, user, query } = request;
      const every = await stationAlerts(app.station, app.station.clock.now());
      const alerts = every
        .filter((alert) => query.all || alert.actBy.includes(user!.role))
        .filter((alert) => !query.kind || alert.kind === query.kind);
      const kinds = [...new Set(every.map((alert) => alert.kind))];
      const filter = html`<form method="get" action="/alerts" class="filters" id="alert-filters">
<label>${t('dash.alerts.kind')}<select name="kind"><option value="">${t('dash.ledger.any')}</option>
${kinds.map((kind) => html`<option value="${kind}" ${query.kind === kind ? 'selected' : ''}>${t(`dash.alert.${kind}`)}</option>`)}</select></label>
<label>${t('dash.alerts.all')}<input type="checkbox" name="all" value="true" ${query.all ? 'checked' : ''}></label>
<button type="submit">${t('dash.ledger.apply')}</button></form>
<p id="alerts-total">${t('dash.alerts.total', { shown: alerts.length, all: every.length })}</p>`;
      const body = alerts.length
        ? html`${filter}<table id="alerts"><thead><tr><th>${t('dash.alerts.severity')}</th><th>${t('dash.alerts.kind')}</th><th>${t('dash.alerts.subject')}</th>
<th>${t('dash.alerts.detail')}</th><th>${t('dash.alerts.actBy')}</th><th>${t('dash.alerts.at')}</th></tr></thead>
<tbody>${alerts.map(
            (alert) => html`<tr data-kind="${alert.kind}" data-severity="${alert.severity}">
<td class="${alert.severity === 'info' ? 'muted' : 'bad'}">${t(`alert.severity.${alert.severity}`)}</td><td>${t(`dash.alert.${alert.kind}`)}</td>
<td>${alert.link ? html`<a href="${alert.link}">${alertSubject(alert, t)}</a>` : alertSubject(alert, t)}</td><td class="detail">${alertMessage(alert, t, zone)}</td>
<td>${alert.actBy.map((role) => t(`dash.role.${role}`)).join('、')}</td><td>${formatDateTime(alert.since, zone)}</td></tr>`,
          )}</tbody></table>`
        : html`${filter}<p class="good" id="no-alerts">${t('dash.alerts.none')}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.alerts'), current: '/alerts', body }));
    },
  );
};
