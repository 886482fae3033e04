import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { loadConfig } from '../../src/config/config.ts';
import { dockFolder } from '../../src/dock/dock-session.ts';
import { makePhoto, makeVideo } from '../../src/footage/generate.ts';
import type { Db } from '../../src/ledger/database.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStation, type Station } from '../../src/station.ts';
import type { Clock } from '../../src/time/clock.ts';
import { temporaryFolder } from './station-cli.ts';

export const roles = ['officer', 'clerk', 'ops', 'leader', 'auditor', 'admin'] as const;

/** One user per role, named after it; the officer holds badge 010001. */
export function addUsersForEveryRole(db: Db): void {
  const insert = db.prepare(
    "INSERT INTO users (name, role, badge, password_hash, created_at) VALUES (?, ?, ?, 'not-used', ?)",
  );
  for (const role of roles)
    insert.run(role, role, role === 'officer' ? '010001' : null, new Date().toISOString());
}

/**
 * A station home holding real footage ingested the normal way: two short videos (badge 010001)
 * and a photo. Made once per test file; `copyHome` gives each test its own copy to tamper with.
 */
export async function makeIngestedHome(): Promise<{ home: string; remove(): Promise<void> }> {
  const folder = await temporaryFolder('custody');
  const home = path.join(folder.path, 'home');
  const source = path.join(folder.path, 'recorder');
  await makeVideo(path.join(source, 'VID_0001.mp4'), { seconds: 1, width: 160, height: 120 });
  await makeVideo(path.join(source, 'VID_0002.mp4'), { seconds: 1, width: 160, height: 120, fps: 10 });
  await makePhoto(path.join(source, 'IMG_0003.jpg'), { width: 160, height: 120 });
  const station = await openTestStation(home);
  try {
    station.db
      .prepare("INSERT INTO officers (badge, name, created_at) VALUES ('010001', '张三', ?)")
      .run(new Date().toISOString());
    addUsersForEveryRole(station.db);
    const report = await dockFolder(station, { sourceRoot: source, origin: 'test', badge: '010001' });
    if (report.state !== 'done' || report.recordings.length !== 3)
      throw new Error(`fixture ingest failed: ${report.state} ${report.stoppedReason}`);
    await station.playback.whenIdle();
  } finally {
    station.close();
  }
  return { home, remove: folder.remove };
}

export async function copyHome(template: string): Promise<{ home: string; remove(): Promise<void> }> {
  const folder = await temporaryFolder('custody-copy');
  const home = path.join(folder.path, 'home');
  await cp(template, home, { recursive: true });
  return { home, remove: folder.remove };
}

export function openTestStation(home: string, clock?: Clock): Promise<Station> {
  return openStation({ config: loadConfig({ STATION_HOME: home }), logger: silentLogger, clock });
}

/**
 * One ingested home per test file, copied afresh for each test that tampers with it; registers its
 * own beforeAll/afterAll. `fresh()` returns the path of a new copy.
 */
export function useIngestedHomes(): { fresh(): Promise<string>; later(cleanup: () => Promise<void>): void } {
  let template: { home: string; remove(): Promise<void> };
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    template = await makeIngestedHome();
  });
  afterAll(async () => {
    // Newest first: a station opened on a copy closes before the copy goes.
    for (const cleanup of cleanups.reverse()) await cleanup();
    await template.remove();
  });
  return {
    async fresh() {
      const copy = await copyHome(template.home);
      cleanups.push(copy.remove);
      return copy.home;
    },
    later: (cleanup) => cleanups.push(cleanup),
  };
}

/** The environment that proves a CLI user: an API token of theirs in STATION_TOKEN. */
export function tokenEnv(db: Db, name: string): { STATION_TOKEN: string } {
  const user = db.prepare('SELECT id FROM users WHERE name = ?').pluck().get(name) as number;
  return { STATION_TOKEN: createApiToken(db, user, 'cli test', new Date()).token };
}
