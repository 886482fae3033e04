import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { appendAudit } from '../../../custody/audit-log.ts';
import { ledgerCsv } from '../../../ledger/ledger-csv.ts';
import { localDateIn } from '../../../time/zone.ts';
import { allows } from '../../access.ts';
import {
  countLedger,
  exportLedger,
  type LedgerQuery,
  LedgerQuerySchema,
  queryLedger,
} from '../../data/ledger-query.ts';
import { ledgerXlsx } from '../../data/ledger-xlsx.ts';
import { html } from '../../html.ts';
import { page } from '../../views/layout.ts';
import { filterForm, filterQuery } from '../../views/ledger-filters.ts';
import { ledgerTable } from '../../views/ledger-table.ts';
import { HtmlPage } from '../schemas.ts';

export const ledgerRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  app.get<{ Querystring: LedgerQuery }>(
    '/ledger',
    {
      schema: { querystring: LedgerQuerySchema, response: { 200: HtmlPage } },
      config: { permission: 'ledger' },
    },
    async (request, reply) => {
      const { t, user } = request;
      const query = request.query;
      const result = queryLedger(db, query, user!);
      const total = countLedger(db, query, user!);
      const link = (overrides: Record<string, string | number>) => `/ledger?${filterQuery(query, overrides)}`;
      const canExport = allows('exportLedger', user!.role);
      const body = html`${filterForm(request, query)}
${
  canExport
    ? html`<p><a href="/ledger/export.csv?${filterQuery(query)}" id="export-csv">${t('dash.ledger.exportCsv')}</a> ·
<a href="/ledger/export.xlsx?${filterQuery(query)}" id="export-xlsx">${t('dash.ledger.exportXlsx')}</a></p>`
    : ''
}
<p id="ledger-total">${t(total.atLeast ? 'ledger.totalAtLeast' : 'ledger.total', { count: total.count })}</p>
${result.rows.length ? ledgerTable(request, result.rows, zone) : html`<p class="muted" id="ledger-empty">${t('dash.ledger.empty')}</p>`}
<p class="pager">${result.page > 1 ? html`<a href="${link({ page: result.page - 1 })}" id="previous-page">${t('dash.ledger.previous')}</a>` : ''}
${t('dash.ledger.page', { page: result.page })}
${result.hasMore ? html`<a href="${link({ page: result.page + 1 })}" id="next-page">${t('dash.ledger.next')}</a>` : ''}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.ledger'), current: '/ledger', body }));
    },
  );

  // Named for the day on the station's clock, so a week of downloads do not overwrite each other.
  const attachment = (extension: string) =>
    `attachment; filename="ledger-${localDateIn(clock.now(), zone)}.${extension}"`;

  const logExport = (request: FastifyRequest, format: string, count: number) =>
    appendAudit(
      db,
      {
        actor: request.user!.name,
        action: 'export',
        subjectType: 'ledger',
        subjectId: null,
        detail: { format, count, filter: request.query as Record<string, unknown> },
      },
      clock.now(),
    );

  app.get<{ Querystring: LedgerQuery }>(
    '/ledger/export.csv',
    {
      schema: { querystring: LedgerQuerySchema, response: { 200: Type.String() } },
      config: { permission: 'exportLedger' },
    },
    async (request, reply) => {
      const rows = exportLedger(db, request.query, request.user!);
      logExport(request, 'csv', rows.length);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', attachment('csv'))
        .send(ledgerCsv(rows, request.language, zone));
    },
  );

  app.get<{ Querystring: LedgerQuery }>(
    '/ledger/export.xlsx',
    {
      schema: {
        querystring: LedgerQuerySchema,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) },
      },
      config: { permission: 'exportLedger' },
    },
    async (request, reply) => {
      const rows = exportLedger(db, request.query, request.user!);
      logExport(request, 'xlsx', rows.length);
      const workbook = await ledgerXlsx(rows, request.language, zone, request.t('dash.nav.ledger'));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', attachment('xlsx'))
        .send(workbook);
    },
  );
};
