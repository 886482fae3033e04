import type { S3Client } from '@aws-sdk/client-s3';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { defaultLoginLimits, LoginThrottle } from '../../auth/login-throttle.ts';
import { authenticationPlugin } from '../../dashboard/plugins/authentication.ts';
import { errorPlugin } from '../../dashboard/plugins/errors.ts';
import { externalPlugins } from '../../dashboard/plugins/external.ts';
import { languagePlugin } from '../../dashboard/plugins/language.ts';
import { requestOriginPlugin } from '../../dashboard/plugins/request-origin.ts';
import { securityHeadersPlugin } from '../../dashboard/plugins/security-headers.ts';
import { sharedPlugin } from '../../dashboard/plugins/shared-plugin.ts';
import { stationPlugin } from '../../dashboard/plugins/station.ts';
import { accountRoutes } from '../../dashboard/routes/account/index.ts';
import { languageRoutes } from '../../dashboard/routes/language.ts';
import { loginRoutes } from '../../dashboard/routes/login.ts';
import type { NavigationItem } from '../../dashboard/views/layout.ts';
import type { Station } from '../../station.ts';
import type { DistrictLedger } from '../district-ledger.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { requestRoutes } from './routes/requests.ts';
import { stationRoutes } from './routes/stations.ts';
import { statisticsRoutes } from './routes/statistics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    district: { ledger: DistrictLedger; s3: S3Client; bucket: string };
  }
}

const navigation: NavigationItem[] = [
  { href: '/stations', label: 'district.view.nav.stations', permission: 'districtOverview' },
  { href: '/ledger', label: 'district.view.nav.ledger', permission: 'districtOverview' },
  { href: '/statistics', label: 'district.view.nav.statistics', permission: 'districtOverview' },
  { href: '/requests', label: 'district.view.nav.requests', permission: 'districtFootage' },
];

const districtPlugin = sharedPlugin<{ district: FastifyInstance['district'] }>(
  'district',
  async (app, { district }) => {
    app.decorate('district', district);
    app.decorate('navigation', navigation);
  },
);

/**
 * The dashboard in district mode (`station district serve`): the station dashboard's plugins, with
 * its own home for users, sessions and the audit chain (`station`), over the district's PostgreSQL
 * ledger and bucket. Login, language and password pages are the station's own.
 */
export async function buildDistrictDashboard(
  station: Station,
  district: FastifyInstance['district'],
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: station.logger.child({ service: 'district-dashboard' }),
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: station.config.http.requestTimeoutSeconds * 1000,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  });
  await app.register(externalPlugins);
  await app.register(securityHeadersPlugin);
  await app.register(stationPlugin, { station });
  await app.register(districtPlugin, { district });
  await app.register(languagePlugin);
  await app.register(requestOriginPlugin);
  await app.register(authenticationPlugin);
  await app.register(errorPlugin);
  const throttle = new LoginThrottle(defaultLoginLimits);
  await app.register(loginRoutes, { throttle });
  await app.register(accountRoutes, { throttle });
  await app.register(languageRoutes);
  await app.register(stationRoutes);
  await app.register(ledgerRoutes);
  await app.register(recordingRoutes);
  await app.register(requestRoutes);
  await app.register(statisticsRoutes);
  return app as unknown as FastifyInstance;
}
