import type { FastifyPluginAsync } from 'fastify';
import { accessRoutes } from './access/index.ts';
import { accountRoutes } from './account/index.ts';
import { alertRoutes } from './alerts/index.ts';
import { apiRoutes } from './api/index.ts';
import { caseRoutes } from './cases/index.ts';
import { deviceRoutes } from './devices/index.ts';
import { bulkConfirmRoutes } from './docks/bulk-confirm.ts';
import { type DockRouteOptions, dockRoutes } from './docks/index.ts';
import { integrityRoutes } from './integrity/index.ts';
import { interruptionRoutes } from './interruptions/index.ts';
import { spokenReasonRoutes } from './interruptions/spoken-reason.ts';
import { languageRoutes } from './language.ts';
import { ledgerRoutes } from './ledger/index.ts';
import { type LoginOptions, loginRoutes } from './login.ts';
import { officerRoutes } from './officers/index.ts';
import { recordingRoutes } from './recordings/index.ts';
import { retentionRoutes } from './retention/index.ts';
import { rootRoutes } from './root.ts';
import { setupRoutes } from './setup.ts';
import { statisticsRoutes } from './statistics/index.ts';
import { unassignedRoutes } from './unassigned/index.ts';
import { userRoutes } from './users/index.ts';

export interface RouteOptions extends LoginOptions, DockRouteOptions {}

/** Route plugins, one folder per URL prefix. */
export const routes: FastifyPluginAsync<RouteOptions> = async (app, options) => {
  await app.register(rootRoutes);
  await app.register(setupRoutes);
  await app.register(loginRoutes, options);
  await app.register(accountRoutes, options);
  await app.register(languageRoutes);
  await app.register(dockRoutes, options);
  await app.register(bulkConfirmRoutes);
  await app.register(ledgerRoutes);
  await app.register(recordingRoutes);
  await app.register(unassignedRoutes);
  await app.register(deviceRoutes);
  await app.register(alertRoutes);
  await app.register(caseRoutes);
  await app.register(interruptionRoutes);
  await app.register(spokenReasonRoutes);
  await app.register(retentionRoutes);
  await app.register(statisticsRoutes);
  await app.register(accessRoutes);
  await app.register(integrityRoutes);
  await app.register(officerRoutes);
  await app.register(userRoutes);
  await app.register(apiRoutes);
};
