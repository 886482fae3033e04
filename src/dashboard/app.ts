import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Station } from '../station.ts';
import { authenticationPlugin } from './plugins/authentication.ts';
import { errorPlugin } from './plugins/errors.ts';
import { externalPlugins } from './plugins/external.ts';
import { languagePlugin } from './plugins/language.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { stationPlugin } from './plugins/station.ts';
import { routes } from './routes/index.ts';

export interface DashboardOptions {
  /** Login attempts per user name and address per minute. */
  loginAttemptsPerMinute?: number;
}

/**
 * The dashboard as a tree of plugins: external plugins, then the station's services as decorators,
 * then routes. Not listening yet: the caller decides where (the service, or a test on port 0).
 */
export async function buildDashboard(
  station: Station,
  options: DashboardOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: station.logger.child({ service: 'dashboard' }),
    // One line per request would drown the ingest log; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Form checkboxes arrive as strings; the schemas say which fields are numbers and booleans.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  });
  await app.register(externalPlugins);
  await app.register(securityHeadersPlugin);
  await app.register(stationPlugin, { station });
  await app.register(languagePlugin);
  await app.register(authenticationPlugin);
  await app.register(errorPlugin);
  await app.register(routes, { maxAttempts: options.loginAttemptsPerMinute ?? 5 });
  return app as unknown as FastifyInstance;
}
