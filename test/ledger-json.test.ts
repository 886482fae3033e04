import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../src/auth/users.ts';
import {
  exportLedger,
  findLedgerRow,
  queryLedger,
  queryLedgerJson,
  sortOrders,
} from '../src/dashboard/data/ledger-query.ts';
import { type Db, openDatabase } from '../src/ledger/database.ts';
import { publicRecording } from '../src/ledger/public-recording.ts';
import { insertRecording, type NewRecording } from '../src/ledger/recordings.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

const zone = 'Asia/Shanghai';
const clerk: User = { id: 1, name: 'clerk', role: 'clerk', badge: null, disabled: false, createdAt: '' };

function recording(index: number, overrides: Partial<NewRecording> = {}): NewRecording {
  const startMs = Date.parse('2026-11-20T01:00:00Z') + index * 600_000;
  return {
    dockId: null,
    deviceId: null,
    sourcePath: `DCIM/${index}.MP4`,
    sourceSize: 1000 + index,
    sourceMtime: null,
    sizeBytes: 1000 + index,
    sha256: index.toString(16).padStart(64, '0'),
    duplicateOf: null,
    archivePath: `2026-11-20/${index}.MP4`,
    kind: 'video',
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + 300_500).toISOString(),
    startMs,
    endMs: startMs + 300_500,
    startSource: 'file-name',
    clockOffsetSeconds: null,
    timeFlags: [],
    durationSeconds: 300.5,
    date: '2026-11-20',
    officerId: null,
    badge: '010001',
    officerName: '张三',
    ingestedAt: new Date(startMs + 3600_000).toISOString(),
    late: false,
    copiedAt: null,
    verifiedAt: null,
    ...overrides,
  };
}

describe('the ledger list as JSON built by SQLite', () => {
  let db: Db;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const folder = await temporaryFolder('ledger-json');
    cleanup = folder.remove;
    db = openDatabase(path.join(folder.path, 'station.db'));
    db.prepare(
      "INSERT INTO devices (serial, first_seen_at, last_seen_at) VALUES ('DSJ\"0001', '', '')",
    ).run();
    insertRecording(db, recording(1));
    insertRecording(db, recording(2, { late: true, timeFlags: ['future', 'clock-corrected'], deviceId: 1 }));
    // Names a recorder or a clerk wrote may hold anything JSON must escape.
    insertRecording(
      db,
      recording(3, { officerName: 'O\'Brien "快" \\ \n\t', badge: null, durationSeconds: null }),
    );
    insertRecording(db, recording(4, { start: null, end: null, startMs: null, endMs: null, date: null }));
    insertRecording(db, recording(5, { kind: 'audio', startSource: null, archivePath: null, sizeBytes: 0 }));
    // Durations as ffprobe gives them: whole seconds, and fractions JSON must write to the last digit.
    insertRecording(db, recording(6, { durationSeconds: 5 }));
    insertRecording(db, recording(7, { durationSeconds: 10.033333333333333 }));
    insertRecording(db, recording(8, { durationSeconds: 0 }));
    // What the API's list is cut at when a page has more after it, as a name may hold it.
    insertRecording(db, recording(9, { officerName: '李四,{"id":1}', badge: ',{"id":' }));
    db.prepare(
      "UPDATE recordings SET confirmed_at = '2026-11-21T02:00:00.000Z', confirmed_by = '王五' WHERE id = 2",
    ).run();
    db.prepare(
      "UPDATE recordings SET playback = 'ok', not_playing_at = '2026-11-21T03:00:00.000Z', not_playing_by = '王五', not_playing_note = '黑屏' WHERE id = 6",
    ).run();
  });

  afterAll(async () => {
    db.close();
    await cleanup();
  });

  it('equals publicRecording of every row, the CLI --json shape', () => {
    const text = queryLedgerJson(db, { pageSize: 10 }, clerk, zone).toString();
    const page = JSON.parse(text);
    expect(page.recordings).toHaveLength(9);
    for (const listed of page.recordings)
      expect(listed).toEqual(publicRecording(findLedgerRow(db, listed.id)!, zone));
    // Byte for byte as the CLI prints numbers, for clients that tell 5 from 5.0.
    for (const duration of ['5', '10.033333333333333', '0'])
      expect(text).toContain(`"durationSeconds":${duration},`);
  });

  it('gives times with the station offset and the playback the clerk decided', () => {
    const { recordings } = JSON.parse(queryLedgerJson(db, { pageSize: 20 }, clerk, zone).toString());
    const second = recordings.find((row: { id: number }) => row.id === 2);
    expect(second).toMatchObject({
      start: '2026-11-20T09:20:00+08:00',
      confirmedAt: '2026-11-21T10:00:00+08:00',
    });
    const sixth = recordings.find((row: { id: number }) => row.id === 6);
    expect(sixth).toMatchObject({ playback: 'not-playing', playbackCheck: 'ok', notPlayingNote: '黑屏' });
    expect(JSON.stringify(recordings)).not.toMatch(/\d{2}Z"/);
  });

  it('is the same in a zone with summer time, built without SQLite', () => {
    const berlin = 'Europe/Berlin';
    const { recordings } = JSON.parse(queryLedgerJson(db, { pageSize: 20 }, clerk, berlin).toString());
    expect(recordings.length).toBe(9);
    for (const listed of recordings)
      expect(listed).toEqual(publicRecording(findLedgerRow(db, listed.id)!, berlin));
    expect(recordings[0].start).toMatch(/\+01:00$/);
  });

  it('pages exactly as the HTML list does', () => {
    for (const query of [
      { pageSize: 2 },
      { pageSize: 2, page: 2 },
      { pageSize: 2, page: 3, sort: 'oldest' as const },
      { pageSize: 1, page: 4, sort: 'badge' as const },
      { pageSize: 3, page: 2, sort: 'ingested' as const },
      { pageSize: 4, page: 3 },
      { pageSize: 2, page: 9 },
      { badge: ',{"id":', pageSize: 1 },
    ]) {
      const page = JSON.parse(queryLedgerJson(db, query, clerk, zone).toString());
      const listed = queryLedger(db, query, clerk);
      expect(page.recordings.map((row: { id: number }) => row.id)).toEqual(listed.rows.map((row) => row.id));
      expect([page.page, page.pageSize, page.hasMore]).toEqual([
        listed.page,
        listed.pageSize,
        listed.hasMore,
      ]);
      for (const shown of page.recordings)
        expect(shown).toEqual(publicRecording(findLedgerRow(db, shown.id)!, zone));
    }
  });

  // Both lists are joined by SQLite from a sorted subquery; the export reads the same query row by row.
  it('lists every sort in its order, page after page, as the export does', () => {
    for (const sort of sortOrders) {
      const all = exportLedger(db, { sort }, clerk).map((row) => row.id);
      const listed = [1, 2, 3, 4].flatMap((page) => queryLedger(db, { sort, pageSize: 3, page }, clerk).rows);
      const json = [1, 2, 3, 4].flatMap(
        (page) =>
          JSON.parse(queryLedgerJson(db, { sort, pageSize: 3, page }, clerk, zone).toString()).recordings,
      );
      expect(listed.map((row) => row.id)).toEqual(all);
      expect(json.map((row: { id: number }) => row.id)).toEqual(all);
    }
  });
});
