import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { monthOf } from '../../../compliance/statistics.ts';
import { html } from '../../../dashboard/html.ts';
import { HtmlPage, LanguageQuery } from '../../../dashboard/routes/schemas.ts';
import { barChart } from '../../../dashboard/views/bar-chart.ts';
import { page } from '../../../dashboard/views/layout.ts';
import { officerCells, officerLabel } from '../../../dashboard/views/officer.ts';
import { districtStatistics } from '../../district-statistics.ts';

const MonthQuery = Type.Composite([
  LanguageQuery,
  Type.Object({ month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })) }),
]);

function lastDayOf(month: string): string {
  const [year, number] = month.split('-').map(Number);
  const day = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, '0')}`;
}

/** Art. 30 across the district: a month's figures per station and per officer. */
export const statisticsRoutes: FastifyPluginAsync = async (app) => {
  const { clock, config } = app.station;
  const zone = config.station.timezone;

  app.get<{ Querystring: Static<typeof MonthQuery> }>(
    '/statistics',
    {
      schema: { querystring: MonthQuery, response: { 200: HtmlPage } },
      config: { permission: 'districtOverview' },
    },
    async (request, reply) => {
      const { t } = request;
      const month = request.query.month ?? monthOf(clock.now(), zone);
      const figures = await districtStatistics(app.district.ledger.pool, {
        from: `${month}-01`,
        to: lastDayOf(month),
      });
      const picker = html`<form method="get" action="/statistics" class="filters" id="pick-month">
<label>${t('district.view.statistics.month')}<input type="month" name="month" value="${month}"></label>
<button type="submit">${t('district.view.ledger.filter')}</button></form>`;
      const byStation = html`<h2>${t('district.view.statistics.byStation')}</h2>
<table id="by-station"><thead><tr><th>${t('district.station')}</th><th>${t('district.view.statistics.recordings')}</th>
<th>${t('district.view.statistics.hours')}</th><th>${t('district.view.statistics.gigabytes')}</th>
<th>${t('district.view.statistics.late')}</th><th>${t('district.view.statistics.legalHolds')}</th></tr></thead>
<tbody>${figures.stations.map(
        (
          row,
        ) => html`<tr data-station="${row.stationId}"><td>${row.stationId}</td><td class="recordings">${row.recordings}</td>
<td class="hours">${row.hours}</td><td>${row.gigabytes}</td><td>${row.late}</td><td>${row.legalHolds}</td></tr>`,
      )}</tbody></table>
${figures.stations.length ? barChart({ id: 'chart-stations', title: t('district.view.statistics.recordings'), bars: figures.stations.map((row) => ({ label: row.stationId, value: row.recordings })) }) : ''}`;
      const byOfficer = html`<h2>${t('district.view.statistics.byOfficer')}</h2>
<table id="by-officer"><thead><tr><th>${t('district.station')}</th><th>${t('stats.officerName')}</th><th>${t('stats.badge')}</th>
<th>${t('district.view.statistics.recordings')}</th><th>${t('district.view.statistics.hours')}</th><th>${t('district.view.statistics.late')}</th></tr></thead>
<tbody>${figures.officers.map(
        (
          row,
        ) => html`<tr data-station="${row.stationId}" data-badge="${row.badge ?? ''}"><td>${row.stationId}</td>
${officerCells(t, { name: row.officerName, badge: row.badge })}<td class="recordings">${row.recordings}</td><td>${row.hours}</td><td>${row.late}</td></tr>`,
      )}</tbody></table>
${figures.officers.length ? barChart({ id: 'chart-officers', title: t('district.view.statistics.hours'), bars: figures.officers.map((row) => ({ label: `${row.stationId} ${officerLabel(t, { name: row.officerName, badge: row.badge })}`, value: row.hours })) }) : ''}`;
      return reply.type('text/html; charset=utf-8').send(
        page(request, {
          title: t('district.view.statistics.title'),
          current: '/statistics',
          body: html`${picker}${byStation}${byOfficer}`,
        }),
      );
    },
  );
};
