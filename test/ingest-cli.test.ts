import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudio, makePhoto, makeVideo, truncateFile, zeroFillRegion } from '../src/footage/generate.ts';
import { parseJson, runStation, temporaryFolder } from './helpers/station-cli.ts';

interface IngestJson {
  state: string;
  device: { serial: string } | null;
  recordings: {
    id: number;
    sourcePath: string;
    archivePath: string;
    sha256: string;
    sizeBytes: number;
    kind: string;
    start: string;
    end: string;
    durationSeconds: number;
    startSource: string;
    date: string;
    badge: string | null;
    officerName: string | null;
    playback: string;
    late: boolean;
    duplicateOf: number | null;
  }[];
  skipped: { sourcePath: string; reason: string }[];
}

const recordingStart = new Date(Date.now() - 2 * 3600_000);
const stamp = (offsetSeconds: number) => {
  const local = new Date(recordingStart.getTime() + offsetSeconds * 1000 + 8 * 3600_000);
  return local.toISOString().replace(/[-:T]/g, '').slice(0, 14);
};

describe('station ingest on a recorder full of awkward files', () => {
  let work: { path: string; remove(): Promise<void> };
  let source: string;
  let home: string;
  let first: IngestJson;
  const byName = (name: string) => first.recordings.find((recording) => recording.sourcePath.endsWith(name));
  const skippedReason = (name: string) =>
    first.skipped.find((entry) => entry.sourcePath.endsWith(name))?.reason;

  beforeAll(async () => {
    work = await temporaryFolder('ingest');
    source = path.join(work.path, 'recorder');
    home = path.join(work.path, 'home');
    const media = path.join(source, 'DCIM', '100MEDIA');
    mkdirSync(media, { recursive: true });
    const creationTime = recordingStart.toISOString();
    await makeVideo(path.join(media, `DSJ0042_100234_${stamp(0)}_0001.MP4`), { seconds: 6, creationTime });
    await makeVideo(path.join(media, `DSJ0042_100234_${stamp(10)}_0002.MOV`), { seconds: 4, creationTime });
    await makeVideo(path.join(media, 'moov-at-end.mp4'), { seconds: 8, creationTime });
    await truncateFile(path.join(media, 'moov-at-end.mp4'), 0.5);
    await makeVideo(path.join(media, 'faststart-cut.mp4'), { seconds: 8, faststart: true, creationTime });
    await truncateFile(path.join(media, 'faststart-cut.mp4'), 0.5);
    await makeVideo(path.join(media, 'zeroed.mp4'), { seconds: 8, faststart: true, creationTime });
    await zeroFillRegion(path.join(media, 'zeroed.mp4'), 0.3, 0.7);
    await makeVideo(path.join(source, '执法 现场 录像.ts'), { seconds: 3 });
    await makeAudio(path.join(source, 'RECORD', '询问 录音.wav'), { seconds: 3 });
    await makePhoto(path.join(source, 'PHOTO', 'IMG 0001.JPG'));
    await makePhoto(path.join(source, 'PHOTO', 'IMG%03d 50%.JPG'), { width: 320, height: 240 });
    writeFileSync(path.join(media, 'empty.mp4'), '');
    writeFileSync(
      path.join(media, 'notes-not-video.mp4'),
      'this is a text file with a video extension\n'.repeat(50),
    );
    writeFileSync(path.join(source, 'DEVICE.TXT'), 'SERIAL=DSJ0042\n');
    writeFileSync(path.join(media, 'a..b..mp4'), 'dots'.repeat(100));
    const longName = `${'长'.repeat(70)}.mp4`; // 212 bytes of UTF-8: longer than the archive keeps
    copyFileSync(path.join(source, '执法 现场 录像.ts'), path.join(source, longName.replace('.mp4', '.ts')));
    writeFileSync(path.join(work.path, 'secret.mp4'), 'outside the recorder');
    symlinkSync(path.join(work.path, 'secret.mp4'), path.join(media, 'link-out.mp4'));
    symlinkSync(work.path, path.join(source, 'LINKDIR'));

    expect(
      (await runStation(['officers', 'add', '--badge', '100234', '--name', '张伟'], { home })).code,
    ).toBe(0);
    const result = await runStation(['ingest', source, '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    first = parseJson<IngestJson>(result);
  });
  afterAll(() => work.remove());

  it('archives good footage with officer, badge, time span and a verified hash', () => {
    const video = byName('_0001.MP4')!;
    expect(video).toMatchObject({
      kind: 'video',
      badge: '100234',
      officerName: '张伟',
      playback: 'ok',
      late: false,
    });
    expect(video.startSource).toBe('file-name');
    expect(video.start).toMatch(/\+08:00$/);
    expect(video.durationSeconds).toBeCloseTo(6, 0);
    const sha = execFileSync('sha256sum', [path.join(home, 'archive', video.archivePath)])
      .toString()
      .split(' ')[0];
    expect(sha).toBe(video.sha256);
    expect(first.device?.serial).toBe('DSJ0042');
  });

  it('lays the archive out by local date and badge and makes archived files read-only', () => {
    const video = byName('_0001.MP4')!;
    expect(video.archivePath).toBe(`${video.date}/100234/${path.basename(video.sourcePath)}`);
    const mode = statSync(path.join(home, 'archive', video.archivePath)).mode & 0o777;
    expect(mode & 0o222).toBe(0);
  });

  it('reads audio and photos as recordings', () => {
    expect(byName('询问 录音.wav')).toMatchObject({ kind: 'audio', playback: 'ok' });
    expect(byName('IMG 0001.JPG')).toMatchObject({ kind: 'photo', playback: 'ok' });
    expect(byName('IMG%03d 50%.JPG')).toMatchObject({ kind: 'photo', playback: 'ok' });
  });

  it('keeps Chinese characters and spaces in archived names', () => {
    expect(byName('执法 现场 录像.ts')?.archivePath).toMatch(/执法 现场 录像\.ts$/);
  });

  it('shortens very long names but keeps their extension', () => {
    const long = first.recordings.find((recording) => recording.sourcePath.startsWith('长'));
    expect(long).toBeDefined();
    expect(Buffer.byteLength(path.basename(long!.archivePath))).toBeLessThanOrEqual(200);
    expect(long!.archivePath.endsWith('.ts')).toBe(true);
  });

  it('archives a truncated MP4 whose index was at the end and flags it unplayable', () => {
    expect(byName('moov-at-end.mp4')?.playback).toBe('unplayable');
  });

  it('flags a truncated faststart MP4 as damaged although its header looks whole', () => {
    expect(byName('faststart-cut.mp4')?.playback).toBe('damaged');
  });

  it('never passes a file with zero-filled regions as ok', () => {
    expect(byName('zeroed.mp4')?.playback).toMatch(/damaged|unplayable/);
  });

  it('archives a non-media file with a media extension and flags it unplayable', () => {
    expect(byName('notes-not-video.mp4')?.playback).toBe('unplayable');
    expect(byName('a..b..mp4')?.archivePath).not.toContain('/..');
  });

  it('reports empty files and non-recordings instead of archiving them', () => {
    expect(skippedReason('empty.mp4')).toMatch(/empty/);
    expect(skippedReason('DEVICE.TXT')).toMatch(/not a recording/);
  });

  it('never follows symbolic links out of the recorder', () => {
    expect(skippedReason('link-out.mp4')).toMatch(/symbolic link/);
    expect(skippedReason('LINKDIR')).toMatch(/symbolic link/);
    expect(first.recordings.some((recording) => recording.sourcePath.includes('secret'))).toBe(false);
  });

  it('copies nothing again when the same volume is ingested twice', async () => {
    const before = readdirSync(path.join(home, 'archive'), { recursive: true }).length;
    const second = parseJson<IngestJson>(await runStation(['ingest', source, '--json'], { home }));
    expect(second.recordings).toEqual([]);
    expect(second.skipped.filter((entry) => /already archived/.test(entry.reason))).toHaveLength(
      first.recordings.length,
    );
    expect(readdirSync(path.join(home, 'archive'), { recursive: true }).length).toBe(before);
  });

  it('records the same content found elsewhere as a duplicate of the first, without a second copy', async () => {
    const other = path.join(work.path, 'other-folder');
    mkdirSync(other);
    copyFileSync(
      path.join(source, 'DCIM', '100MEDIA', `DSJ0042_100234_${stamp(0)}_0001.MP4`),
      path.join(other, 'copy.mp4'),
    );
    const result = parseJson<IngestJson>(await runStation(['ingest', other, '--json'], { home }));
    const original = byName('_0001.MP4')!;
    expect(result.recordings).toHaveLength(1);
    expect(result.recordings[0].duplicateOf).toBe(original.id);
    expect(result.recordings[0].archivePath).toBe(original.archivePath);
    const db = new Database(path.join(home, 'station.db'), { readonly: true });
    const copies = db
      .prepare('SELECT COUNT(*) FROM recordings WHERE sha256 = ? AND archive_path IS NOT NULL')
      .pluck()
      .get(original.sha256);
    db.close();
    expect(copies).toBe(1);
  });

  it('keeps every stage on the recording row', () => {
    const db = new Database(path.join(home, 'station.db'), { readonly: true });
    const row = db
      .prepare('SELECT copied_at, verified_at, probed_at, confirmed_at FROM recordings WHERE id = ?')
      .get(byName('_0001.MP4')!.id) as Record<string, string | null>;
    db.close();
    expect(row.copied_at).toBeTruthy();
    expect(row.verified_at).toBeTruthy();
    expect(row.probed_at).toBeTruthy();
    expect(row.confirmed_at).toBeNull();
  });

  it('prints the ledger as JSON filtered by badge and date, and as CSV that Excel reads as UTF-8', async () => {
    const date = byName('_0001.MP4')!.date;
    const ledger = parseJson<{ recordings: { badge: string }[] }>(
      await runStation(['ledger', '--badge', '100234', '--from', date, '--to', date, '--json'], { home }),
    );
    expect(ledger.recordings.length).toBeGreaterThan(1);
    expect(ledger.recordings.every((recording) => recording.badge === '100234')).toBe(true);
    const csv = await runStation(['ledger', '--csv'], { home });
    expect(csv.stdout.startsWith('\uFEFF')).toBe(true);
    expect(csv.stdout).toContain('张伟');
    expect(csv.stdout).toContain('\r\n');
  });

  it('passes verify while the archive is intact and names a changed file with exit code 1', async () => {
    expect((await runStation(['verify'], { home })).code).toBe(0);
    const target = path.join(home, 'archive', byName('IMG 0001.JPG')!.archivePath);
    chmodSync(target, 0o644);
    writeFileSync(target, 'tampered', { flag: 'a' });
    const result = await runStation(['verify', '--json'], { home });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('IMG 0001.JPG');
    expect(result.stdout).toContain('changed');
  });

  it('refuses a missing folder or an unknown badge with exit code 2', async () => {
    expect((await runStation(['ingest', path.join(work.path, 'nowhere')], { home })).code).toBe(2);
    expect((await runStation(['ingest', source, '--badge', '999999'], { home })).code).toBe(2);
    expect(existsSync(path.join(home, 'archive', '.partial'))).toBe(true);
  });
});
