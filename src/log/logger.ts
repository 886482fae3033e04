import { createRequire } from 'node:module';
import type pino from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

const require = createRequire(import.meta.url);

/** JSON lines for journald and files; readable colours only when a person is watching a terminal. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return lazyLogger(() => {
    const create = require('pino') as typeof pino;
    const pretty = 'isTTY' in destination && (destination as NodeJS.WriteStream).isTTY;
    if (pretty) {
      return create({
        level,
        transport: {
          target: 'pino-pretty',
          options: { destination: 2, translateTime: 'SYS:standard', ignore: 'pid,hostname' },
        },
      });
    }
    return create({ level }, destination as pino.DestinationStream);
  });
}

export const silentLogger: Logger = lazyLogger(() => (require('pino') as typeof pino)({ level: 'silent' }));

/**
 * A logger made at its first use. Loading pino takes 60–100 ms, and on a terminal pino-pretty starts a
 * worker thread: most CLI commands never log, and then pay for neither. Children made before the
 * first line are lazy too, so wiring services up does not make the logger.
 */
function lazyLogger(create: () => Logger): Logger {
  let made: Logger | null = null;
  const logger = () => {
    made ??= create();
    return made;
  };
  return new Proxy({} as Logger, {
    get(_, property) {
      if (property === 'child' && !made)
        return (bindings: pino.Bindings, options?: pino.ChildLoggerOptions) =>
          lazyLogger(() => logger().child(bindings, options));
      const value = Reflect.get(logger(), property);
      return typeof value === 'function' ? value.bind(logger()) : value;
    },
    set(_, property, value) {
      return Reflect.set(logger(), property, value);
    },
    has(_, property) {
      return Reflect.has(logger(), property);
    },
  });
}
