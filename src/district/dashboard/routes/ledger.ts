import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { html } from '../../../dashboard/html.ts';
import { HtmlPage, LanguageQuery } from '../../../dashboard/routes/schemas.ts';
import { page } from '../../../dashboard/views/layout.ts';
import { officerCells } from '../../../dashboard/views/officer.ts';
import { formatDateTime, formatDuration } from '../../../i18n/format.ts';
import type { LedgerCursor } from '../../district-ledger.ts';

const pageSize = 200;
const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
// Empty fields of a submitted filter form mean "any".
const Optional = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Literal('')]));

const LedgerQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    station: Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
    badge: Optional(Type.String({ maxLength: 40 })),
    from: Optional(LocalDate),
    to: Optional(LocalDate),
    // The last row of the page before, as `date_station_id` (cursorOf): the next page starts after it.
    after: Type.Optional(
      Type.String({ pattern: '^(\\d{4}-\\d{2}-\\d{2})?_[a-z0-9][a-z0-9-]{0,62}_\\d{1,15}$' }),
    ),
  }),
]);
type LedgerQuery = Static<typeof LedgerQuery>;

const cursorOf = (row: LedgerCursor) => `${row.date ?? ''}_${row.stationId}_${row.recordingId}`;

function parseCursor(text: string): LedgerCursor {
  const [date, stationId, id] = text.split('_');
  return { date: date || null, stationId, recordingId: Number(id) };
}

/** The union of every station's ledger, filtered by station, badge and local dates. */
export const ledgerRoutes: FastifyPluginAsync = async (app) => {
  const zone = app.station.config.station.timezone;

  app.get<{ Querystring: LedgerQuery }>(
    '/ledger',
    {
      schema: { querystring: LedgerQuery, response: { 200: HtmlPage } },
      config: { permission: 'districtOverview' },
    },
    async (request, reply) => {
      const { t, query } = request;
      const [stations, rows] = await Promise.all([
        app.district.ledger.stationNames(),
        app.district.ledger.ledger({
          stationId: query.station || undefined,
          badge: query.badge || undefined,
          fromDate: query.from || undefined,
          toDate: query.to || undefined,
          limit: pageSize + 1,
          after: query.after ? parseCursor(query.after) : undefined,
        }),
      ]);
      const more = rows.length > pageSize;
      const shown = rows.slice(0, pageSize);
      const filters = html`<form method="get" action="/ledger" class="filters" id="ledger-filters">
<label>${t('district.station')}<select name="station" id="filter-station"><option value="">${t('district.view.ledger.allStations')}</option>
${stations.map((station) => html`<option value="${station.id}" ${station.id === query.station ? 'selected' : ''}>${station.id} ${station.name}</option>`)}</select></label>
<label>${t('ledger.badge')}<input name="badge" value="${query.badge ?? ''}"></label>
<label>${t('district.view.ledger.from')}<input type="date" name="from" value="${query.from ?? ''}"></label>
<label>${t('district.view.ledger.to')}<input type="date" name="to" value="${query.to ?? ''}"></label>
<button type="submit">${t('district.view.ledger.filter')}</button></form>`;
      const table = shown.length
        ? html`<table id="district-ledger"><thead><tr><th>${t('district.station')}</th><th>${t('ledger.id')}</th>
<th>${t('ledger.officerName')}</th><th>${t('ledger.badge')}</th><th>${t('ledger.date')}</th><th>${t('ledger.start')}</th>
<th>${t('ledger.duration')}</th><th>${t('district.retainUntil')}</th><th>${t('district.legalHold')}</th></tr></thead>
<tbody>${shown.map(
            (row) => html`<tr data-station="${row.stationId}" data-recording="${row.recordingId}">
<td>${row.stationId}</td><td><a href="/recordings/${row.stationId}/${row.recordingId}">${row.recordingId}</a></td>
${officerCells(t, { name: row.officerName, badge: row.badge })}<td>${row.date ?? '-'}</td>
<td>${row.start ? formatDateTime(row.start, zone) : '-'}</td><td>${row.durationSeconds === null ? '-' : formatDuration(row.durationSeconds)}</td>
<td>${formatDateTime(row.retainUntil, zone)}</td><td>${row.legalHold ? t('common.yes') : t('common.no')}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="muted" id="no-rows">${t('district.view.ledger.none')}</p>`;
      const next = new URLSearchParams();
      for (const [name, value] of Object.entries(query))
        if (value && name !== 'after') next.set(name, String(value));
      if (more) next.set('after', cursorOf(shown.at(-1)!));
      const pager = more
        ? html`<p><a id="next-page" href="/ledger?${next.toString()}">${t('district.view.ledger.more')}</a></p>`
        : '';
      return reply.type('text/html; charset=utf-8').send(
        page(request, {
          title: t('district.view.ledger.title'),
          current: '/ledger',
          body: html`${filters}${table}${pager}`,
        }),
      );
    },
  );
};
