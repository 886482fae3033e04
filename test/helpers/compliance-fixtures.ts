import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addUser } from '../../src/auth/users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { saveOfficer } from '../../src/ledger/officers.ts';
import { insertRecording, type Recording } from '../../src/ledger/recordings.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStation, type Station } from '../../src/station.ts';
import { fixedClock } from '../../src/time/clock.ts';
import { instantOfWallTime, localDateIn } from '../../src/time/zone.ts';
import { temporaryFolder } from './station-cli.ts';

export const zone = 'Asia/Shanghai';

/** An instant given as Shanghai wall time "YYYY-MM-DD HH:mm". */
export function shanghai(text: string): Date {
  const [date, time = '00:00'] = text.split(' ');
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  return instantOfWallTime({ year, month, day, hour, minute, second: 0 }, zone);
}

export interface ComplianceStation {
  station: Station;
  clock: ReturnType<typeof fixedClock>;
  home: string;
  close(): Promise<void>;
}

/** A real station (SQLite file, archive folder) in a temporary home with a clock the test controls. */
export async function openTestStation(now: Date): Promise<ComplianceStation> {
  const folder = await temporaryFolder('compliance');
  const clock = fixedClock(now);
  const config = loadConfig({ STATION_HOME: folder.path });
  const station = await openStation({ config, clock, logger: silentLogger });
  return {
    station,
    clock,
    home: folder.path,
    close: async () => {
      station.close();
      await folder.remove();
    },
  };
}

let sequence = 0;

/**
 * An archived original as ingest leaves it: a read-only file under the archive and its ledger row.
 * `recordedAt` is the recording's start; it lasts a minute.
 */
export async function archivedRecording(
  station: Station,
  options: {
    recordedAt: Date;
    badge?: string;
    late?: boolean;
    ingestedAt?: Date;
    sizeBytes?: number;
    timeFlags?: string[];
  },
): Promise<Recording> {
  sequence++;
  const badge = options.badge ?? '010001';
  const officer = saveOfficer(station.db, { badge, name: `警员${badge}` }, options.recordedAt);
  const localDate = localDateIn(options.recordedAt, zone);
  const archivePath = path.join(localDate, badge, `clip-${sequence}.mp4`);
  const file = station.archive.absolutePath(archivePath);
  await mkdir(path.dirname(file), { recursive: true });
  const content = `footage ${sequence} ${'x'.repeat(options.sizeBytes ?? 64)}`;
  await writeFile(file, content);
  await chmod(file, 0o444);
  const start = options.recordedAt;
  const end = new Date(start.getTime() + 60_000);
  const ingestedAt = options.ingestedAt ?? new Date(end.getTime() + 3600_000);
  return insertRecording(station.db, {
    dockId: null,
    deviceId: null,
    sourcePath: `DCIM/clip-${sequence}.mp4`,
    sourceSize: content.length,
    sourceMtime: end.toISOString(),
    sizeBytes: content.length,
    sha256: `${String(sequence).padStart(8, '0')}${'a'.repeat(56)}`,
    duplicateOf: null,
    archivePath,
    kind: 'video',
    start: start.toISOString(),
    end: end.toISOString(),
    startMs: start.getTime(),
    endMs: end.getTime(),
    startSource: 'file-name',
    clockOffsetSeconds: null,
    timeFlags: options.timeFlags ?? [],
    durationSeconds: 60,
    date: localDate,
    officerId: officer.id,
    badge,
    officerName: officer.name,
    ingestedAt: ingestedAt.toISOString(),
    late: options.late ?? false,
    copiedAt: ingestedAt.toISOString(),
    verifiedAt: ingestedAt.toISOString(),
  });
}

/** The people of the deletion workflow: ops proposes, a leader approves. */
export async function addReviewers(station: Station): Promise<void> {
  const now = station.clock.now();
  await addUser(station.db, { name: 'ops1', role: 'ops', password: 'ops-password' }, now);
  await addUser(station.db, { name: 'leader1', role: 'leader', password: 'leader-password' }, now);
  await addUser(station.db, { name: 'clerk1', role: 'clerk', password: 'clerk-password' }, now);
}

/** The clerk's confirmation of a ledger row, as the dashboard records it. */
export function confirmRow(station: Station, recordingId: number): void {
  station.db
    .prepare("UPDATE recordings SET confirmed_at = ?, confirmed_by = 'clerk1' WHERE id = ?")
    .run(station.clock.now().toISOString(), recordingId);
}

/** An interruption between two segments of one recorder, as the dock daemon records it. */
export function recordGap(
  station: Station,
  gap: { before: Recording; after: Recording; badge: string; detectedAt: Date; serial?: string },
): number {
  const serial = gap.serial ?? 'A123456';
  station.db
    .prepare('INSERT INTO devices (serial, first_seen_at) VALUES (?, ?) ON CONFLICT (serial) DO NOTHING')
    .run(serial, gap.detectedAt.toISOString());
  const deviceId = station.db
    .prepare('SELECT id FROM devices WHERE serial = ?')
    .pluck()
    .get(serial) as number;
  const result = station.db
    .prepare(
      `INSERT INTO interruptions (device_id, before_recording_id, after_recording_id, gap_start, gap_end, gap_seconds,
         badge, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      deviceId,
      gap.before.id,
      gap.after.id,
      gap.before.end,
      gap.after.start,
      (gap.after.startMs! - gap.before.endMs!) / 1000,
      gap.badge,
      gap.detectedAt.toISOString(),
    );
  return Number(result.lastInsertRowid);
}
