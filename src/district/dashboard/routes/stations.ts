import type { FastifyPluginAsync } from 'fastify';
import { html } from '../../../dashboard/html.ts';
import { formResponses, HtmlPage, LanguageQuery } from '../../../dashboard/routes/schemas.ts';
import { page } from '../../../dashboard/views/layout.ts';
import { formatDateTime } from '../../../i18n/format.ts';

const staleAfterMs = 86_400_000;

/** Station health: when each station last reached the district, what it still owes, what failed. */
export const stationRoutes: FastifyPluginAsync = async (app) => {
  const { clock, config } = app.station;
  const zone = config.station.timezone;

  app.get(
    '/',
    { schema: { querystring: LanguageQuery, response: formResponses }, config: { permission: 'anyone' } },
    async (_request, reply) => reply.redirect('/stations', 303),
  );

  app.get(
    '/stations',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'districtOverview' },
    },
    async (request, reply) => {
      const { t } = request;
      const stations = await app.district.ledger.stations();
      const now = clock.now().getTime();
      const rows = stations.map((station) => {
        const stale = !station.lastContactAt || now - Date.parse(station.lastContactAt) > staleAfterMs;
        const backlog = station.pending + station.uploading + station.failed;
        return html`<tr data-station="${station.id}">
<td>${station.id}</td><td>${station.name}</td>
<td class="${stale ? 'bad' : ''}">${station.lastContactAt ? formatDateTime(station.lastContactAt, zone) : t('district.view.stations.never')}${stale ? html` <span class="stale">(${t('district.view.stations.stale')})</span>` : ''}</td>
<td class="backlog">${backlog}</td>
<td>${station.oldestPendingAt ? formatDateTime(station.oldestPendingAt, zone) : '-'}</td>
<td class="failures ${station.failed ? 'bad' : ''}">${station.failed}</td>
<td class="recordings"><a href="/ledger?station=${station.id}">${station.recordings}</a></td></tr>`;
      });
      const body = stations.length
        ? html`<table id="stations"><thead><tr><th>${t('district.station')}</th><th>${t('district.view.stations.name')}</th>
<th>${t('district.view.stations.lastContact')}</th><th>${t('district.view.stations.backlog')}</th>
<th>${t('district.view.stations.oldestPending')}</th><th>${t('district.view.stations.failures')}</th>
<th>${t('district.view.stations.recordings')}</th></tr></thead><tbody>${rows}</tbody></table>`
        : html`<p class="muted">${t('district.view.stations.none')}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('district.view.stations.title'), current: '/stations', body }));
    },
  );
};
