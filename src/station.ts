import path from 'node:path';
import type { Archive } from './archive/archive.ts';
import type { SpokenReasonQueue } from './compliance/spoken-reason-queue.ts';
import { type LoadedConfig, loadConfig } from './config/config.ts';
import { preparePrivateHome } from './config/private-home.ts';
import { simulatedDriver } from './dock/simulated-driver.ts';
import { type LoadedDriver, loadDrivers } from './drivers/registry.ts';
import { EventBus } from './events/event-bus.ts';
import type { Ingestor } from './ingest/ingest.ts';
import type { PlaybackQueue } from './ingest/playback-queue.ts';
import { type Db, openDatabase } from './ledger/database.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { type Clock, systemClock } from './time/clock.ts';

/** What a command that reads or edits the ledger needs, wired once. */
export interface LedgerStation {
  config: LoadedConfig;
  db: Db;
  drivers: LoadedDriver[];
  events: EventBus;
  logger: Logger;
  clock: Clock;
  close(): void;
}

/** ... and the archive with what works on it: the copy engine and the checks after a copy. */
export interface Station extends LedgerStation {
  archive: Archive;
  playback: PlaybackQueue;
  /** Art. 18: listens for the spoken reason at the start of each resumed segment. */
  spokenReasons: SpokenReasonQueue;
  ingestor: Ingestor;
}

export interface OpenOptions {
  env?: NodeJS.ProcessEnv;
  config?: LoadedConfig;
  clock?: Clock;
  logger?: Logger;
  /** False only for the bench's baseline: ingest without the art. 18 check (nothing kept or heard). */
  spokenReasons?: boolean;
}

export const databaseFile = (home: string) => path.join(home, 'station.db');
export const archiveRoot = (home: string) => path.join(home, 'archive');
export const exportsFolder = (home: string) => path.join(home, 'exports');

/**
 * The ledger side only. The copy engine's modules (archive, ingest, media, the spoken-reason check:
 * about 45 of a command's 90) are not loaded: on a slow VM they cost 50 ms of every command's start.
 */
export async function openLedger(options: OpenOptions = {}): Promise<LedgerStation> {
  const config = options.config ?? loadConfig(options.env);
  const logger = options.logger ?? createLogger(config.log.level);
  const clock = options.clock ?? systemClock;
  // The simulated family writes to the volume it docks: only the demo and tests turn it on.
  const drivers = await loadDrivers(undefined, config.dock.simulatedRecorders ? [simulatedDriver] : []);
  preparePrivateHome(config.home, databaseFile(config.home), exportsFolder(config.home));
  const db = openDatabase(databaseFile(config.home));
  const events = new EventBus((error, name) =>
    logger.error({ err: error, event: name }, 'event listener failed'),
  );
  return { config, db, drivers, events, logger, clock, close: () => db.close() };
}

export async function openStation(options: OpenOptions = {}): Promise<Station> {
  const ledger = await openLedger(options);
  const { openCopyEngine } = await import('./copy-engine.ts');
  try {
    return await openCopyEngine(ledger, { spokenReasons: options.spokenReasons !== false });
  } catch (error) {
    ledger.close();
    throw error;
  }
}
