import type { FastifyInstance } from 'fastify';
import { deleteExpiredSessions } from '../auth/sessions.ts';
import type { Station } from '../station.ts';
import { buildDashboard } from './app.ts';

/** The dashboard as a station service: start() listens on config http.host:http.port, stop() closes. */
export function createDashboardService(station: Station) {
  let app: FastifyInstance | null = null;
  return {
    name: 'dashboard',
    async start(): Promise<void> {
      deleteExpiredSessions(station.db, station.clock.now());
      app = await buildDashboard(station);
      const address = await app.listen({ host: station.config.http.host, port: station.config.http.port });
      station.logger.info({ address }, 'dashboard listening');
    },
    async stop(): Promise<void> {
      await app?.close();
      app = null;
    },
  };
}
