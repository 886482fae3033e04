import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:http';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { defaultLoginLimits, type LoginLimits, LoginThrottle } from '../auth/login-throttle.ts';
import type { Station } from '../station.ts';
import { authenticationPlugin } from './plugins/authentication.ts';
import { errorPlugin } from './plugins/errors.ts';
import { externalPlugins } from './plugins/external.ts';
import { languagePlugin } from './plugins/language.ts';
import { requestOriginPlugin } from './plugins/request-origin.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { stationPlugin } from './plugins/station.ts';
import { routes } from './routes/index.ts';

export interface DashboardOptions {
  /** Limits on password guessing (see login-throttle.ts); tests lower or raise them. */
  loginLimits?: Partial<LoginLimits>;
  /** How often a live event stream checks that its session still holds. */
  streamKeepAliveMs?: number;
}

/**
 * Node's own limits, which fastify leaves open: a request whose headers or body stop arriving would
 * hold its connection for minutes. Timeouts are checked every second, not every thirty.
 */
function serverOptions(station: Station): { requestTimeout: number; http: ServerOptions } {
  const { http } = station.config;
  const timeoutMs = http.requestTimeoutSeconds * 1000;
  const timeouts = {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: 1000,
  };
  const tls = http.tls && { cert: readFileSync(http.tls.certFile), key: readFileSync(http.tls.keyFile) };
  // With `https` fastify's types name another server class; the app is used as FastifyInstance anyway.
  const server = tls ? { https: { ...tls, ...timeouts } } : { http: timeouts };
  return { requestTimeout: timeoutMs, ...server } as { requestTimeout: number; http: ServerOptions };
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
    ...serverOptions(station),
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
  await app.register(requestOriginPlugin);
  await app.register(authenticationPlugin);
  await app.register(errorPlugin);
  await app.register(routes, {
    throttle: new LoginThrottle({ ...defaultLoginLimits, ...options.loginLimits }),
    keepAliveMs: options.streamKeepAliveMs,
  });
  return app as unknown as FastifyInstance;
}
