import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON lines for journald and files; readable colours only when a person is watching a terminal. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  const pretty = 'isTTY' in destination && (destination as NodeJS.WriteStream).isTTY;
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, translateTime: 'SYS:standard', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level }, destination as pino.DestinationStream);
}

export const silentLogger: Logger = pino({ level: 'silent' });
