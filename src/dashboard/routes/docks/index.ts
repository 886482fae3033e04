import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { findSession } from '../../../auth/sessions.ts';
import { dockStates, finalDockStates, redockStates, safeToUndockStates } from '../../../dock/dock-session.ts';
import { formatBytes, formatDateTime } from '../../../i18n/format.ts';
import type { Db } from '../../../ledger/database.ts';
import { type Dock, findDock, listDocks } from '../../../ledger/docks.ts';
import { allows } from '../../access.ts';
import { DockVisibility } from '../../dock-visibility.ts';
import { type Html, html, trusted } from '../../html.ts';
import { sessionCookie } from '../../plugins/authentication.ts';
import {
  dockCard,
  dockFileStates,
  dockOfficer,
  dockStateLabel,
  fileStateLabel,
} from '../../views/dock-card.ts';
import { page } from '../../views/layout.ts';
import { officerCells } from '../../views/officer.ts';
import { HtmlPage, IdParams, LanguageQuery } from '../schemas.ts';

const DocksQuery = Type.Composite([
  LanguageQuery,
  Type.Object({ confirmed: Type.Optional(Type.Integer({ minimum: 0 })) }),
]);

// A finished dock shows under 刚完成 for a while, with what it left to do, then only in the table.
const recentlyFinishedMs = 30 * 60_000;
const recentShown = 30;
const defaultKeepAliveMs = 15_000;

export interface DockRouteOptions {
  /** How often an open event stream sends a keep-alive and checks its session is still valid. */
  keepAliveMs?: number;
}

/** JSON for a script tag: `<` escaped so no value can close the tag. */
const scriptJson = (value: unknown) => trusted(JSON.stringify(value).replace(/</g, '\\u003c'));

/** `station ingest` docks a folder by hand at the command line: nobody waits at the station for it. */
const dockedAtStation = (dock: Dock) => dock.origin !== 'cli';

/** One row of 最近采集记录; docks.js replaces it from /docks/:id/row as the dock moves on. */
function recentRow(request: FastifyRequest, db: Db, dock: Dock, zone: string, now: Date): Html {
  const { t } = request;
  return html`<tr data-dock="${dock.id}" data-state="${dock.state}"><td>${dock.id}</td><td>${dock.deviceSerial ?? dock.volumeLabel ?? ''}</td>
${officerCells(t, dockOfficer(db, dock, now))}<td>${dockStateLabel(t, dock.state)}</td><td>${dock.filesDone}/${dock.filesTotal}</td>
<td>${formatBytes(dock.bytesTotal)}</td><td>${formatDateTime(dock.startedAt, zone)}</td><td>${formatDateTime(dock.endedAt, zone)}</td>
<td>${allows('ledger', request.user!.role) ? html`<a href="/ledger?dock=${dock.id}">${t('dash.docks.recordings')}</a>` : ''}
${allows('confirm', request.user!.role) && dock.state === 'done' ? html` · <a href="/docks/${dock.id}/confirm" class="confirm-all">${t('dash.docks.confirmAll')}</a>` : ''}</td></tr>`;
}

export const dockRoutes: FastifyPluginAsync<DockRouteOptions> = async (app, options) => {
  const keepAliveMs = options.keepAliveMs ?? defaultKeepAliveMs;
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;
  // Open event streams never go idle, so the server could not close while one is open: end them first.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of openStreams) end();
  });

  app.get<{ Querystring: Static<typeof DocksQuery> }>(
    '/docks',
    { schema: { querystring: DocksQuery, response: { 200: HtmlPage } }, config: { permission: 'docks' } },
    async (request, reply) => {
      const { t, user } = request;
      const now = clock.now();
      const visibility = new DockVisibility(db, user!, () => clock.now());
      const recent = listDocks(db, { limit: recentShown }).filter((dock) => visibility.seesDock(dock.id));
      const atStation = recent.filter(dockedAtStation);
      const live = atStation.filter((dock) => !dock.endedAt);
      const finished = atStation.filter(
        (dock) => dock.endedAt && now.getTime() - Date.parse(dock.endedAt) < recentlyFinishedMs,
      );
      const texts = {
        states: Object.fromEntries(dockStates.map((state) => [state, dockStateLabel(t, state)])),
        fileStates: Object.fromEntries(dockFileStates.map((state) => [state, fileStateLabel(t, state)])),
        safe: safeToUndockStates,
        failed: redockStates,
        final: finalDockStates,
        safeText: t('dash.docks.safe'),
        notSafeText: t('dash.docks.notSafe'),
        redockText: t('dash.docks.redock'),
        empty: { live: t('dash.docks.none'), finished: t('dash.docks.noneFinished') },
        // Templates with {n}, {m}, {s} left in: docks.js fills them.
        seconds: t('dash.unit.seconds'),
        minutesSeconds: t('dash.unit.minutesSeconds'),
      };
      const card = (dock: Dock) =>
        dockCard(request, db, dock, {
          zone,
          now,
          thresholds: config.dock,
          withFiles: visibility.seesFiles,
        });
      const body = html`
${request.query.confirmed !== undefined ? html`<p class="message" id="bulk-confirmed">${t('dash.docks.bulkConfirmed', { count: request.query.confirmed })}</p>` : ''}
<script type="application/json" id="dock-texts">${scriptJson(texts)}</script>
<h2>${t('dash.docks.live')}</h2>
<div id="live-docks">
${live.length ? live.map(card) : html`<p id="no-active-docks" class="muted">${t('dash.docks.none')}</p>`}
</div>
<h2>${t('dash.docks.finished')}</h2>
<div id="finished-docks">
${finished.length ? finished.map(card) : html`<p id="no-finished-docks" class="muted">${t('dash.docks.noneFinished')}</p>`}
</div>
<h2>${t('dash.docks.recent')}</h2>
<table id="recent-docks"><thead><tr><th>#</th><th>${t('dash.docks.device')}</th><th>${t('ledger.officerName')}</th><th>${t('ledger.badge')}</th>
<th>${t('dash.docks.state')}</th><th>${t('dash.docks.files')}</th><th>${t('dash.docks.size')}</th><th>${t('dash.docks.started')}</th><th>${t('dash.docks.ended')}</th><th></th></tr></thead>
<tbody>${recent.map((dock) => recentRow(request, db, dock, zone, now))}</tbody></table>`;
      return reply.type('text/html; charset=utf-8').send(
        page(request, {
          title: t('dash.nav.docks'),
          current: '/docks',
          body,
          scripts: ['/static/docks.js'],
        }),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LanguageQuery> }>(
    '/docks/:id/card',
    {
      schema: { params: IdParams, querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'docks' },
    },
    async (request, reply) => {
      const dock = findDock(db, request.params.id);
      const visibility = new DockVisibility(db, request.user!, () => clock.now());
      if (!dock || !visibility.seesDock(dock.id)) return reply.callNotFound();
      const card = dockCard(request, db, dock, {
        zone,
        now: clock.now(),
        thresholds: config.dock,
        withFiles: visibility.seesFiles,
      });
      // Where the card belongs: docks.js moves it when the dock ends; a CLI dock has no card.
      return reply
        .type('text/html; charset=utf-8')
        .header('x-dock-section', !dockedAtStation(dock) ? 'none' : dock.endedAt ? 'finished' : 'live')
        .send(card.text);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LanguageQuery> }>(
    '/docks/:id/row',
    {
      schema: { params: IdParams, querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'docks' },
    },
    async (request, reply) => {
      const dock = findDock(db, request.params.id);
      const visibility = new DockVisibility(db, request.user!, () => clock.now());
      if (!dock || !visibility.seesDock(dock.id)) return reply.callNotFound();
      return reply
        .type('text/html; charset=utf-8')
        .send(recentRow(request, db, dock, zone, clock.now()).text);
    },
  );

  app.get(
    '/docks/events',
    {
      schema: { response: { 200: Type.String({ description: 'text/event-stream of station events' }) } },
      config: { permission: 'docks' },
    },
    async (request, reply) => {
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.write('retry: 2000\n\n');
      // The stream belongs to the session that opened it: it ends at logout, when the account is
      // disabled (both at once, through dockStream) and when the session is found gone or expired
      // at a keep-alive (an account changed by another process).
      const sessionToken = request.cookies[sessionCookie] ?? '';
      const visibility = new DockVisibility(db, request.user!, () => clock.now());
      const viewer = {
        sessionToken,
        userId: request.user!.id,
        accepts: (name: string, payload: unknown) => visibility.accepts(name, payload),
        end: () => end(),
      };
      const unsubscribe = app.dockStream.subscribe((chunk) => response.write(chunk), viewer);
      // A comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
      const keepAlive = setInterval(() => {
        if (!findSession(db, sessionToken, clock.now())) return end();
        response.write(': keep-alive\n\n');
      }, keepAliveMs);
      const end = () => {
        clearInterval(keepAlive);
        unsubscribe();
        openStreams.delete(end);
        response.end();
      };
      openStreams.add(end);
      request.raw.on('close', end);
    },
  );
};
