import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { collectAlerts } from '../../data/alerts.ts';
import { formatDateTime } from '../../format.ts';
import { html } from '../../html.ts';
import { page } from '../../views/layout.ts';
import { HtmlPage } from '../schemas.ts';

const AlertsQuery = Type.Object({ lang: Type.Optional(Type.String()) });

export const alertRoutes: FastifyPluginAsync = async (app) => {
  const zone = app.station.config.station.timezone;
  app.get<{ Querystring: Static<typeof AlertsQuery> }>(
    '/alerts',
    { schema: { querystring: AlertsQuery, response: { 200: HtmlPage } }, config: { permission: 'alerts' } },
    async (request, reply) => {
      const { t } = request;
      const alerts = await collectAlerts(app.station, app.station.clock.now());
      const body = alerts.length
        ? html`<table id="alerts"><thead><tr><th>${t('dash.alerts.kind')}</th><th>${t('dash.alerts.subject')}</th><th>${t('dash.alerts.detail')}</th>
<th>${t('dash.alerts.actBy')}</th><th>${t('dash.alerts.at')}</th></tr></thead>
<tbody>${alerts.map(
            (
              alert,
            ) => html`<tr data-kind="${alert.kind}"><td class="bad">${t(`dash.alert.${alert.kind}` as MessageKey)}</td>
<td>${alert.link ? html`<a href="${alert.link}">${alert.subject}</a>` : alert.subject}</td><td>${alert.detail}</td>
<td>${alert.actBy.map((role) => t(`dash.role.${role}` as MessageKey)).join('、')}</td><td>${formatDateTime(alert.at, zone)}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="good" id="no-alerts">${t('dash.alerts.none')}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.alerts'), current: '/alerts', body }));
    },
  );
};
