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
  });

  afterAll(async () => {
    db.close();
    await cleanup();
  });

  it('equals publicRecording of every row, the CLI --json shape', () => {
    const text = queryLedgerJson(db, { pageSize: 10 }, clerk).toString();
    const page = JSON.parse(text);
    expect(page.recordings).toHaveLength(9);
    for (const listed of page.recordings)
      expect(listed).toEqual(publicRecording(findLedgerRow(db, listed.id)!));
    // Byte for byte as the CLI prints numbers, for clients that tell 5 from 5.0.
    for (const duration of ['5', '10.033333333333333', '0'])
      expect(text).toContain(`"durationSeconds":${duration},`);
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
      const page = JSON.parse(queryLedgerJson(db, query, clerk).toString());
      const listed = queryLedger(db, query, clerk);
      expect(page.recordings.map((row: { id: number }) => row.id)).toEqual(listed.rows.map((row) => row.id));
      expect([page.page, page.pageSize, page.hasMore]).toEqual([
        listed.page,
        listed.pageSize,
        listed.hasMore,
      ]);
      for (const shown of page.recordings)
        expect(shown).toEqual(publicRecording(findLedgerRow(db, shown.id)!));
    }
  });

  // Both lists are joined by SQLite from a sorted subquery; the export reads the same query row by row.
  it('lists every sort in its order, page after page, as the export does', () => {
    for (const sort of sortOrders) {
      const all = exportLedger(db, { sort }, clerk).map((row) => row.id);
      const listed = [1, 2, 3, 4].flatMap((page) => queryLedger(db, { sort, pageSize: 3, page }, clerk).rows);
      const json = [1, 2, 3, 4].flatMap(
        (page) => JSON.parse(queryLedgerJson(db, { sort, pageSize: 3, page }, clerk).toString()).recordings,
      );
      expect(listed.map((row) => row.id)).toEqual(all);
      expect(json.map((row: { id: number }) => row.id)).toEqual(all);
    }
  });
});
