import path from 'node:path';
import { Archive } from './archive/archive.ts';
import { SpokenReasonQueue } from './compliance/spoken-reason-queue.ts';
import { type LoadedConfig, loadConfig } from './config/config.ts';
import { preparePrivateHome } from './config/private-home.ts';
import { simulatedDriver } from './dock/simulated-driver.ts';
import { type LoadedDriver, loadDrivers } from './drivers/registry.ts';
import { EventBus } from './events/event-bus.ts';
import { Ingestor } from './ingest/ingest.ts';
import { PlaybackQueue } from './ingest/playback-queue.ts';
import { type Db, openDatabase } from './ledger/database.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { OpeningAudio } from './media/audio-window.ts';
import { type Clock, systemClock } from './time/clock.ts';

/** Everything a command or service needs, wired once. */
export interface Station {
  config: LoadedConfig;
  db: Db;
  archive: Archive;
  drivers: LoadedDriver[];
  events: EventBus;
  logger: Logger;
  clock: Clock;
  playback: PlaybackQueue;
  /** Art. 18: listens for the spoken reason at the start of each resumed segment. */
  spokenReasons: SpokenReasonQueue;
  ingestor: Ingestor;
  close(): void;
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

export async function openStation(options: OpenOptions = {}): Promise<Station> {
  const config = options.config ?? loadConfig(options.env);
  const logger = options.logger ?? createLogger(config.log.level);
  const clock = options.clock ?? systemClock;
  // The simulated family writes to the volume it docks: only the demo and tests turn it on.
  const drivers = await loadDrivers(undefined, config.dock.simulatedRecorders ? [simulatedDriver] : []);
  preparePrivateHome(config.home, databaseFile(config.home), exportsFolder(config.home));
  const db = openDatabase(databaseFile(config.home));
  const archive = new Archive(archiveRoot(config.home), db);
  await archive.prepare();
  const events = new EventBus((error, name) =>
    logger.error({ err: error, event: name }, 'event listener failed'),
  );
  const listening = options.spokenReasons !== false;
  const openingAudio = new OpeningAudio(path.join(config.home, 'opening-audio'));
  const playback = new PlaybackQueue({
    db,
    archive,
    config,
    clock,
    events,
    logger: logger.child({ service: 'playback' }),
    openingAudio: listening ? openingAudio : undefined,
  });
  const spokenReasons = new SpokenReasonQueue({
    db,
    archiveRoot: archive.root,
    config,
    clock,
    events,
    logger: logger.child({ service: 'spoken-reason' }),
    playback,
    openingAudio,
  });
  if (listening) spokenReasons.listen();
  const ingestor = new Ingestor({
    db,
    archive,
    drivers,
    config,
    clock,
    events,
    logger: logger.child({ service: 'ingest' }),
    playback,
  });
  return {
    config,
    db,
    archive,
    drivers,
    events,
    logger,
    clock,
    playback,
    spokenReasons,
    ingestor,
    close: () => {
      void archive.close();
      db.close();
    },
  };
}
