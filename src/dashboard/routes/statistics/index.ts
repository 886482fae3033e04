import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { writeMonthlyReport } from '../../../compliance/monthly-report.ts';
import {
  lateExportsOf,
  type MonthlyStatistics,
  monthlyStatistics,
  monthMeasures,
  monthOf,
} from '../../../compliance/statistics.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import { type Html, html } from '../../html.ts';
import { barChart } from '../../views/bar-chart.ts';
import { page } from '../../views/layout.ts';
import { officerCells, officerLabel } from '../../views/officer.ts';
import { HtmlPage, LanguageQuery } from '../schemas.ts';

// Art. 30: per officer and month, to find weak points; the same numbers as `station stats` and the
// monthly report file the office keeps.

const MonthQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
  }),
]);
type MonthQuery = Static<typeof MonthQuery>;

const columns = monthMeasures;

const charted = ['recordings', 'hours', 'lateExports', 'interruptions'] as const;

function statisticsTable(request: FastifyRequest, statistics: MonthlyStatistics): Html {
  const { t } = request;
  const { totals } = statistics;
  const cell = (value: number | null) => (value === null ? '' : value);
  return html`<table id="statistics"><thead><tr><th>${t('stats.officerName')}</th><th>${t('stats.badge')}</th>${columns.map((column) => html`<th>${t(`stats.${column}`)}</th>`)}</tr></thead>
<tbody>${statistics.officers.map(
    (
      officer,
    ) => html`<tr data-badge="${officer.badge ?? ''}">${officerCells(t, { name: officer.officerName, badge: officer.badge })}
${columns.map((column) => html`<td class="${column}">${cell(officer[column])}</td>`)}</tr>`,
  )}
<tr id="statistics-total"><th colspan="2">${t('stats.total')}</th><th>${totals.recordings}</th><th>${totals.hours}</th><th>${totals.lateExports}</th>
<th>${totals.interruptions}</th><th>${totals.spokenReasons}</th><th>${totals.silentResumptions}</th><th>${totals.damagedRecordings}</th><th>${totals.unconfirmedRows}</th><th></th><th></th><th>${cell(totals.onTimePercent)}</th></tr>
</tbody></table>`;
}

export const statisticsRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;
  const monthAsked = (query: MonthQuery) => query.month ?? monthOf(clock.now(), zone);

  app.get<{ Querystring: MonthQuery }>(
    '/statistics',
    {
      schema: { querystring: MonthQuery, response: { 200: HtmlPage } },
      config: { permission: 'statistics' },
    },
    async (request, reply) => {
      const { t } = request;
      const month = monthAsked(request.query);
      const statistics = monthlyStatistics(db, zone, month);
      const charts = statistics.officers.length
        ? charted.map((column) =>
            barChart({
              id: `chart-${column}`,
              title: t(`stats.${column}`),
              bars: statistics.officers.map((officer) => ({
                label: officerLabel(request.t, { name: officer.officerName, badge: officer.badge }),
                value: officer[column],
              })),
              colour: column === 'lateExports' || column === 'interruptions' ? '#b45309' : undefined,
            }),
          )
        : '';
      const body = html`<form method="get" action="/statistics" class="filters" id="pick-month">
<label>${t('dash.statistics.month')}<input type="month" name="month" value="${month}" required></label>
<button type="submit">${t('dash.ledger.apply')}</button>
<a href="/statistics/report.xlsx?month=${month}" id="statistics-xlsx">${t('dash.statistics.download')}</a></form>
<h2>${t('stats.title', { month })}</h2>
${
  statistics.officers.length
    ? statisticsTable(request, statistics)
    : html`<p class="muted" id="statistics-empty">${t('dash.statistics.none')}</p>`
}
<div class="charts" style="display:flex;flex-wrap:wrap;gap:1rem">${charts}</div>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.statistics'), current: '/statistics', body }));
    },
  );

  app.get<{ Querystring: MonthQuery }>(
    '/statistics/report.xlsx',
    {
      schema: {
        querystring: MonthQuery,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) },
      },
      config: { permission: 'statistics' },
    },
    async (request, reply) => {
      const month = monthAsked(request.query);
      // writeMonthlyReport writes the file the office files; the download is that same file.
      const folder = await mkdtemp(path.join(os.tmpdir(), 'station-report-'));
      try {
        const file = path.join(folder, 'report.xlsx');
        await writeMonthlyReport(
          file,
          {
            statistics: monthlyStatistics(db, zone, month),
            lateExports: lateExportsOf(db, month),
            stationName: config.station.name,
          },
          request.language,
        );
        const workbook = await readFile(file);
        appendAudit(
          db,
          {
            actor: request.user!.name,
            action: 'export',
            subjectType: 'statistics',
            subjectId: month,
            detail: { format: 'xlsx' },
          },
          clock.now(),
        );
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="statistics-${month}.xlsx"`)
          .send(workbook);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  );
};
