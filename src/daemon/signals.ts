import type { Logger } from '../log/logger.ts';

/**
 * Resolves on the first SIGINT or SIGTERM (systemd stop, Ctrl-C). A second signal while shutting
 * down exits at once: the journal in the database makes even that safe to resume from.
 */
export function untilStopSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      const forceExit = (again: NodeJS.Signals) => {
        logger.warn({ signal: again }, 'second signal: exiting without waiting');
        process.exit(130);
      };
      process.once('SIGINT', forceExit);
      process.once('SIGTERM', forceExit);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
