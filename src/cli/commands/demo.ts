import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/config.ts';
import { folderDockRoot } from '../../dock/dock-service.ts';
import { isFinalDockState } from '../../dock/dock-session.ts';
import { dockSimulatedRecorder } from '../../dock/simulated-recorder.ts';
import { codeLabel } from '../../i18n/catalogue.ts';
import { openDatabase } from '../../ledger/database.ts';
import { type Dock, listDockFiles } from '../../ledger/docks.ts';
import { databaseFile } from '../../station.ts';
import {
  CheckFailed,
  type CliCommand,
  optionalString,
  print,
  printJson,
  t,
  wholeNumberOption,
} from '../command.ts';

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'cli.summary.demo',
  usage:
    'station demo [--serial S] [--badge B] [--segments N] [--clock-offset SECONDS] [--wait SECONDS] [--json]',
  options: {
    serial: { type: 'string' },
    badge: { type: 'string' },
    segments: { type: 'string' },
    'clock-offset': { type: 'string' },
    wait: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const segments = wholeNumberOption(args, 'segments', 3);
    const clockOffsetSeconds = wholeNumberOption(args, 'clock-offset', 0, { allowNegative: true });
    const waitSeconds = wholeNumberOption(args, 'wait', 20);
    const serial = optionalString(args, 'serial') ?? `DSJ${String(randomInt(10_000)).padStart(4, '0')}`;
    const badge = optionalString(args, 'badge') ?? '100001';
    const config = loadConfig();
    const segmentSeconds = 5;
    const root = await dockSimulatedRecorder(folderDockRoot(config.home), `${serial}-${Date.now()}`, {
      serial,
      badge,
      // An hour ago, with a five-minute pause after the second segment: one interruption to explain.
      start: new Date(Date.now() - 3600_000),
      segments,
      segmentSeconds,
      gapSeconds: [0, 300],
      clockOffsetSeconds,
      timezone: config.station.timezone,
      width: 640,
      height: 360,
    });
    if (!args.values.json) print(t('cli.demo.docked', { serial, badge, root }));
    const dock = await followDock(databaseFile(config.home), root, waitSeconds, !args.values.json);
    if (!dock) {
      throw new CheckFailed(t('cli.demo.notPickedUp', { seconds: waitSeconds, home: config.home }));
    }
    if (args.values.json) printJson({ root, dock: dock.dock, files: dock.files }, config.station.timezone);
    else
      print(
        t('cli.demo.finished', {
          id: dock.dock.id,
          state: codeLabel(t, 'dash.dockState.', dock.dock.state),
          done: dock.dock.filesDone,
          total: dock.dock.filesTotal,
        }),
      );
    return dock.dock.state === 'done' ? 0 : 1;
  },
};

/** Watches the ledger until the station has finished the dock of `root`; null if it never starts. */
async function followDock(file: string, root: string, waitSeconds: number, narrate: boolean) {
  const db = openDatabase(file);
  try {
    const find = () =>
      db.prepare('SELECT id FROM docks WHERE source_path = ? ORDER BY id DESC LIMIT 1').pluck().get(root) as
        | number
        | undefined;
    const deadline = Date.now() + waitSeconds * 1000;
    let dockId = find();
    while (dockId === undefined && Date.now() < deadline) {
      await sleep(250);
      dockId = find();
    }
    if (dockId === undefined) return null;
    let lastState = '';
    for (;;) {
      const dock = db
        .prepare(
          `SELECT id, state, files_done AS filesDone, files_total AS filesTotal, driver, detail,
             clock_offset_seconds AS clockOffsetSeconds FROM docks WHERE id = ?`,
        )
        .get(dockId) as Dock;
      if (narrate && dock.state !== lastState)
        print(`  ${codeLabel(t, 'dash.dockState.', dock.state)} ${dock.filesDone}/${dock.filesTotal}`);
      lastState = dock.state;
      if (isFinalDockState(dock.state)) return { dock, files: listDockFiles(db, dockId) };
      await sleep(250);
    }
  } finally {
    db.close();
  }
}
