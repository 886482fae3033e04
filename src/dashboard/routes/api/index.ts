import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { handledStationAlerts } from '../../../compliance/alert-actions.ts';
import { alertMessage } from '../../../compliance/alert-messages.ts';
import { type DockState, safeToUndockStates } from '../../../dock/dock-session.ts';
import { fileNoteLabel } from '../../../ingest/file-notes.ts';
import { findDock, listDockFiles, listDocks } from '../../../ledger/docks.ts';
import { withZoneOffsets } from '../../../time/zone.ts';
import { deviceOverview } from '../../data/device-overview.ts';
import { type LedgerQuery, LedgerQuerySchema, queryLedgerJson } from '../../data/ledger-query.ts';
import { DockVisibility } from '../../dock-visibility.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { dockReasonLabel } from '../../views/dock-card.ts';
import { apiErrors, IdParams, LanguageQuery } from '../schemas.ts';
import { AlertSchema, DeviceSchema, DockFileSchema, DockSchema, LedgerPageSchema } from './schemas.ts';

// `lang` names the language of the words in an answer (reasonText, message).
const DocksQuery = Type.Composite([
  LanguageQuery,
  Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
]);

/** The dashboard's data as JSON for other systems on the station; session cookie or `Bearer` API token. */
export const apiRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;
  // Machines read times with the station's offset, never UTC's `Z` (the ledger's JSON comes written).
  app.addHook('preSerialization', async (_request, _reply, payload) => withZoneOffsets(payload, zone));
  const withSafety = <Dock extends { state: string; reason: string | null }>(
    dock: Dock,
    t: Parameters<typeof dockReasonLabel>[0],
  ) => ({
    ...dock,
    reasonText: dockReasonLabel(t, dock.reason),
    safeToUndock: safeToUndockStates.includes(dock.state as DockState),
  });

  app.get<{ Querystring: LedgerQuery }>(
    '/api/ledger',
    {
      schema: { querystring: LedgerQuerySchema, response: { 200: LedgerPageSchema, ...apiErrors } },
      config: { permission: 'ledger' },
    },
    // Already JSON (see queryLedgerJson): sent as it is, so the schema documents rather than serialises.
    async (request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(queryLedgerJson(db, request.query, request.user!, zone)),
  );

  app.get<{ Querystring: Static<typeof DocksQuery> }>(
    '/api/docks',
    {
      schema: {
        querystring: DocksQuery,
        response: { 200: Type.Object({ docks: Type.Array(DockSchema) }), ...apiErrors },
      },
      config: { permission: 'docks' },
    },
    async (request) => {
      const visibility = new DockVisibility(db, request.user!, () => clock.now());
      const docks = listDocks(db, { limit: request.query.limit ?? 50 }).filter((dock) =>
        visibility.seesDock(dock.id),
      );
      return { docks: docks.map((dock) => withSafety(dock, request.t)) };
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LanguageQuery> }>(
    '/api/docks/:id',
    {
      schema: {
        params: IdParams,
        querystring: LanguageQuery,
        response: { 200: Type.Object({ dock: DockSchema, files: Type.Array(DockFileSchema) }), ...apiErrors },
      },
      config: { permission: 'docks' },
    },
    async (request) => {
      const dock = findDock(db, request.params.id);
      const visibility = new DockVisibility(db, request.user!, () => clock.now());
      if (!dock || !visibility.seesDock(dock.id)) throw new HttpError(404, request.t('dash.error.notFound'));
      return {
        dock: withSafety(dock, request.t),
        files: visibility.seesFiles
          ? listDockFiles(db, dock.id).map((file) => ({
              ...file,
              noteText: file.note ? fileNoteLabel(request.t, file.note) : null,
            }))
          : [],
      };
    },
  );

  app.get(
    '/api/devices',
    {
      schema: { response: { 200: Type.Object({ devices: Type.Array(DeviceSchema) }), ...apiErrors } },
      config: { permission: 'devices' },
    },
    async () => ({ devices: deviceOverview(db, clock.now()) }),
  );

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/api/alerts',
    {
      schema: {
        querystring: LanguageQuery,
        response: { 200: Type.Object({ alerts: Type.Array(AlertSchema) }), ...apiErrors },
      },
      config: { permission: 'alerts' },
    },
    async (request) => {
      const alerts = await handledStationAlerts(app.station, clock.now());
      return { alerts: alerts.map((alert) => ({ ...alert, message: alertMessage(alert, request.t, zone) })) };
    },
  );
};
