import type { Station } from '../../station.ts';
import { DockStream } from '../dock-stream.ts';
import { sharedPlugin } from './shared-plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    station: Station;
    dockStream: DockStream;
  }
}

/** The station's parts as decorators; the progress stream follows the same event bus as the ingestor. */
export const stationPlugin = sharedPlugin<{ station: Station }>('station', async (app, { station }) => {
  app.decorate('station', station);
  const stream = new DockStream(station.events);
  app.decorate('dockStream', stream);
  app.addHook('onClose', async () => stream.close());
});
