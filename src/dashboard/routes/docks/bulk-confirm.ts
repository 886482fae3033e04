import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { findDock } from '../../../ledger/docks.ts';
import { playbackStatus } from '../../../ledger/playback-status.ts';
import { exportLedger, type LedgerRow } from '../../data/ledger-query.ts';
import { bulkConfirmable, confirmDock } from '../../data/review.ts';
import { type Html, html } from '../../html.ts';
import { csrfField, page } from '../../views/layout.ts';
import { ledgerTable } from '../../views/ledger-table.ts';
import { CsrfBody, formResponses, HtmlPage, IdParams, LanguageQuery } from '../schemas.ts';

// 整批确认 after spot checks (art. 23) asks first: the page lists what would be confirmed and what is
// left for a one-by-one look, and the form confirms exactly the recordings it listed.

const ConfirmBody = Type.Composite([
  CsrfBody,
  Type.Object({ ids: Type.String({ pattern: '^[0-9]+(,[0-9]+)*$', maxLength: 200_000 }) }),
]);

/** Why a recording of the dock is not in the bulk confirmation. */
function leftOutReason(request: FastifyRequest, row: LedgerRow): string {
  const { t } = request;
  if (row.confirmedAt) return t('dash.bulk.why.confirmed');
  if (row.notPlayingAt) return t('dash.bulk.why.not-playing');
  if (row.duplicateOf) return t('dash.bulk.why.duplicate');
  return t('dash.bulk.why.playback', { playback: t(`playback.${playbackStatus(row)}`) });
}

export const bulkConfirmRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LanguageQuery> }>(
    '/docks/:id/confirm',
    {
      schema: { params: IdParams, querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      const { t } = request;
      const dock = findDock(db, request.params.id);
      if (!dock) return reply.callNotFound();
      const ids = bulkConfirmable(db, dock.id);
      const chosen = new Set(ids);
      const rows = exportLedger(db, { dock: dock.id, sort: 'oldest' }, request.user!);
      const confirmable = rows.filter((row) => chosen.has(row.id));
      const left = rows.filter((row) => !chosen.has(row.id));
      const leftTable: Html | string = left.length
        ? html`<h2>${t('dash.bulk.left')}</h2><div id="bulk-left">${ledgerTable(request, left, zone, (row) => html`<span class="left-out">${leftOutReason(request, row as LedgerRow)}</span>`)}</div>`
        : '';
      const body = ids.length
        ? html`<p id="bulk-intro">${t('dash.bulk.intro', { count: ids.length })}</p>
<div id="bulk-confirmable">${ledgerTable(request, confirmable, zone)}</div>
<form method="post" action="/docks/${dock.id}/confirm" class="card" id="bulk-form">${csrfField(request)}
<input type="hidden" name="ids" value="${ids.join(',')}">
<button type="submit" id="bulk-submit">${t('dash.bulk.submit', { count: ids.length })}</button>
<a href="/docks">${t('dash.bulk.cancel')}</a></form>
${leftTable}`
        : html`<p id="bulk-none" class="muted">${t('dash.bulk.none')}</p><p><a href="/docks">${t('dash.bulk.cancel')}</a></p>${leftTable}`;
      return reply.type('text/html; charset=utf-8').send(
        page(request, {
          title: t('dash.bulk.title', { id: dock.id }),
          current: '/docks',
          body,
        }),
      );
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ConfirmBody> }>(
    '/docks/:id/confirm',
    {
      schema: { params: IdParams, body: ConfirmBody, response: formResponses },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      if (!findDock(db, request.params.id)) return reply.callNotFound();
      const shown = request.body.ids.split(',').map(Number);
      const confirmed = confirmDock(db, request.params.id, shown, request.user!, clock.now());
      return reply.redirect(`/docks?confirmed=${confirmed.length}`, 303);
    },
  );
};
