import type { Logger } from '../log/logger.ts';

/** Exit status of a daemon that met an error nobody owned; systemd's Restart=on-failure restarts it. */
export const unownedErrorExitCode = 70;

/**
 * The daemon's last resort. Every known fault (a pulled cable, a full disk, a busy database) is
 * handled where it happens and ends one dock, never the process. An error that still reaches the
 * process level is a bug: it is logged with what the process was doing, and the process exits
 * non-zero, so that the supervisor restarts it and the restart resumes the work from the database.
 * Carrying on after it would mean running in a state nobody planned for.
 */
export function installLastResortHandlers(
  logger: Logger,
  context: () => Record<string, unknown>,
): () => void {
  const fail = (kind: string) => (error: unknown) => {
    try {
      logger.fatal(
        { err: error, kind, ...context() },
        `${kind}: the station stops so its supervisor restarts it`,
      );
      logger.flush?.();
    } finally {
      process.stderr.write(`station: ${kind}: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(unownedErrorExitCode);
    }
  };
  const onRejection = fail('unhandled rejection');
  const onException = fail('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.removeListener('unhandledRejection', onRejection);
    process.removeListener('uncaughtException', onException);
  };
}
