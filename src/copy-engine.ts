import path from 'node:path';
import { Archive } from './archive/archive.ts';
import { SpokenReasonQueue } from './compliance/spoken-reason-queue.ts';
import { Ingestor } from './ingest/ingest.ts';
import { PlaybackQueue } from './ingest/playback-queue.ts';
import { OpeningAudio } from './media/audio-window.ts';
import { archiveRoot, type LedgerStation, type Station } from './station.ts';

/**
 * The archive of an opened ledger and what works on it: the copy engine (archive, ingestor) and the
 * checks after a copy (playback, spoken reason). Loaded by `openStation` only, so that a command on
 * the ledger alone does not load it.
 */
export async function openCopyEngine(
  ledger: LedgerStation,
  options: { spokenReasons: boolean },
): Promise<Station> {
  const { config, db, drivers, events, logger, clock } = ledger;
  const archive = new Archive(archiveRoot(config.home), db);
  await archive.prepare();
  const openingAudio = new OpeningAudio(path.join(config.home, 'opening-audio'));
  const playback = new PlaybackQueue({
    db,
    archive,
    config,
    clock,
    events,
    logger: logger.child({ service: 'playback' }),
    openingAudio: options.spokenReasons ? openingAudio : undefined,
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
  if (options.spokenReasons) spokenReasons.listen();
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
    ...ledger,
    archive,
    playback,
    spokenReasons,
    ingestor,
    close: () => {
      void archive.close();
      ledger.close();
    },
  };
}
