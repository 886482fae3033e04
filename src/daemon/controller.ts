import type { Logger } from '../log/logger.ts';

/**
 * A part of the daemon that can run on its own: dock watching, the playback queue, the scheduler,
 * the dashboard. Constructors only keep their dependencies; start() and stop() do the work.
 */
export interface Service {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export type ServiceState = 'stopped' | 'running' | 'failed';

/**
 * Starts services in the order they were added and stops them in reverse. A service that fails to
 * start is logged and left out; the others still run, so a broken dashboard never stops the copying.
 */
export class Controller {
  private readonly services: Service[] = [];
  private readonly states = new Map<string, { state: ServiceState; error: string | null }>();

  constructor(private readonly logger: Logger) {}

  add(service: Service): this {
    if (this.states.has(service.name)) throw new Error(`a service named "${service.name}" is already added`);
    this.services.push(service);
    this.states.set(service.name, { state: 'stopped', error: null });
    return this;
  }

  async start(): Promise<void> {
    for (const service of this.services) {
      try {
        await service.start();
        this.states.set(service.name, { state: 'running', error: null });
        this.logger.info({ serviceName: service.name }, 'service started');
      } catch (error) {
        this.states.set(service.name, { state: 'failed', error: (error as Error).message });
        this.logger.error(
          { serviceName: service.name, err: error },
          'service failed to start; carrying on without it',
        );
      }
    }
    this.logger.info({ services: this.status() }, 'station started');
  }

  async stop(): Promise<void> {
    for (const service of [...this.services].reverse()) {
      if (this.states.get(service.name)?.state !== 'running') continue;
      try {
        await service.stop();
        this.logger.info({ serviceName: service.name }, 'service stopped');
      } catch (error) {
        this.logger.error({ serviceName: service.name, err: error }, 'service failed to stop cleanly');
      }
      this.states.set(service.name, { state: 'stopped', error: null });
    }
  }

  status(): { name: string; state: ServiceState; error: string | null }[] {
    return this.services.map((service) => ({ name: service.name, ...this.states.get(service.name)! }));
  }
}
