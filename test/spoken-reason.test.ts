import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../src/archive/copy-file.ts';
import { tagActivity } from '../src/compliance/activity-tags.ts';
import { collectAlerts } from '../src/compliance/alerts.ts';
import { spokenReasonDetail } from '../src/compliance/spoken-reason.ts';
import { monthlyStatistics, monthOf } from '../src/compliance/statistics.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { resumeUnfinishedWork } from '../src/daemon/resume.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { wallClockStamp } from '../src/footage/generate.ts';
import { makeSpokenFootage, reasonText } from '../src/footage/spoken-footage.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import { silentLogger } from '../src/log/logger.ts';
import { probe } from '../src/media/probe.ts';
import { openStation } from '../src/station.ts';
import { BrowserUsers, launchChromium, screenshots } from './helpers/browser.ts';
import {
  type DashboardServer,
  loggedIn,
  officerBadge,
  passwordOf,
  startDashboard,
} from './helpers/dashboard-server.ts';
import { parseJson, runStation } from './helpers/station-cli.ts';

// Art. 18 end to end on a real station: a recorder's segments (real footage, real Mandarin speech
// from espeak-ng) are ingested, the dock's gaps found, and each resumed segment listened to in the
// playback pool; then the ledger, the derived clip, the audit log, the CLI, alerts, statistics, a
// restart, and the 中断说明 page with its player in Chromium.

const serial = 'A123456';
let server: DashboardServer;
let ids: { spoken: number; silent: number; mute: number };
// Every ffmpeg run of the station is logged, to tell the spoken-reason check's own decoding (an
// input -t: only the opening is read) from the playback check's.
let ffmpegLog: { folder: string; file: string; original: string | undefined };
const ownDecodings = async () =>
  (await readFile(ffmpegLog.file, 'utf8')).split('\n').filter((line) => / -t \d+ -i file:/.test(line)).length;

async function makeRecorder(root: string, zone: string): Promise<void> {
  const segments = [
    { seconds: 5, background: 'silence' as const },
    {
      seconds: 18,
      background: 'pink-noise' as const,
      speech: { text: reasonText, offsetSeconds: 3, gainDb: -3 },
    },
    { seconds: 10, background: 'pink-noise' as const },
    { seconds: 4, background: 'silence' as const, audio: false },
  ];
  let start = new Date(Math.floor((Date.now() - 3 * 3600_000) / 1000) * 1000);
  for (const [index, segment] of segments.entries()) {
    const file = path.join(
      root,
      'DCIM/100MEDIA',
      `${serial}_${officerBadge}_${wallClockStamp(start, zone)}_${String(index + 1).padStart(4, '0')}.MP4`,
    );
    await makeSpokenFootage(file, segment);
    const end = new Date(start.getTime() + segment.seconds * 1000);
    await utimes(file, end, end);
    start = new Date(end.getTime() + 300_000);
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bwc-ffmpeg-log-'));
  ffmpegLog = { folder, file: path.join(folder, 'runs.log'), original: process.env.STATION_FFMPEG };
  const wrapper = path.join(folder, 'ffmpeg');
  await writeFile(
    wrapper,
    `#!/bin/sh\necho "$*" >> '${ffmpegLog.file}'\nexec ${ffmpegLog.original ?? 'ffmpeg'} "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  process.env.STATION_FFMPEG = wrapper;
  server = await startDashboard();
  const { station } = server;
  const recorder = path.join(server.folder, 'recorder');
  await makeRecorder(recorder, station.config.station.timezone);
  // Docked the way the daemon docks a recorder: copy, check playback, find the gaps, end the dock.
  const report = await dockFolder(station, {
    sourceRoot: recorder,
    origin: 'test',
    deviceSerial: serial,
    recorderChecks: true,
  });
  expect(report.state).toBe('done');
  // The spoken-reason checks run in the playback pool once the dock has ended.
  await station.playback.whenIdle();
  const found = station.db.prepare('SELECT id FROM interruptions ORDER BY gap_start').all() as {
    id: number;
  }[];
  expect(found).toHaveLength(3);
  ids = { spoken: found[0].id, silent: found[1].id, mute: found[2].id };
});

afterAll(async () => {
  await server?.close();
  if (ffmpegLog.original === undefined) delete process.env.STATION_FFMPEG;
  else process.env.STATION_FFMPEG = ffmpegLog.original;
  await rm(ffmpegLog.folder, { recursive: true, force: true });
});

describe('the spoken reason of an interruption', () => {
  it('is heard where the officer speaks on resuming, from where the speech starts', () => {
    const heard = spokenReasonDetail(server.station.db, ids.spoken);
    expect(heard.state).toBe('detected');
    expect(heard.speechStartSeconds).toBeGreaterThanOrEqual(2.9);
    expect(heard.speechStartSeconds).toBeLessThan(3.6);
    expect(heard.speechSeconds).toBeGreaterThan(6);
    expect(heard.clipStartSeconds).toBeCloseTo(heard.speechStartSeconds! - 0.5, 2);
  });

  it('is absent where the segment holds only street noise, and no-audio where it has no sound track', () => {
    expect(spokenReasonDetail(server.station.db, ids.silent)).toMatchObject({
      state: 'absent',
      speechSeconds: 0,
      clipSha256: null,
    });
    expect(spokenReasonDetail(server.station.db, ids.mute)).toMatchObject({
      state: 'no-audio',
      clipPath: null,
    });
  });

  it('hears the sound the playback check decoded: the footage is not decoded a second time', async () => {
    expect(await ownDecodings()).toBe(0);
  });

  it('cuts the speech as a hashed, read-only audio clip in the derived folder and leaves the original alone', async () => {
    const { db, archive } = server.station;
    const heard = spokenReasonDetail(db, ids.spoken);
    expect(heard.clipPath).toMatch(/^\.derived\/spoken-reason\/interruption-\d+-[0-9a-f]{12}\.wav$/);
    const clip = path.join(archive.root, heard.clipPath!);
    expect(await hashFile(clip)).toBe(heard.clipSha256);
    expect((await stat(clip)).mode & 0o777).toBe(0o444);
    const probed = await probe(clip, { timeoutMs: 60_000 });
    expect(probed.video).toBeNull();
    expect(probed.audio).not.toBeNull();
    expect(probed.durationSeconds).toBeCloseTo(heard.clipSeconds!, 0);
    const original = findRecording(db, heard.recordingId!)!;
    expect(await hashFile(archive.absolutePath(original.archivePath!))).toBe(original.sha256);
    const entry = auditTrail(db, 'interruption', ids.spoken).find((item) => item.action === 'spoken-reason');
    expect(entry?.detail).toMatchObject({
      state: 'detected',
      clipSha256: heard.clipSha256,
      clipPath: heard.clipPath,
    });
  });

  it('is listed by `station interruptions list --json`', async () => {
    const result = await runStation(['interruptions', 'list', '--json'], {
      home: server.station.config.home,
    });
    const listed = parseJson<{ interruptions: { id: number; spokenReason: Record<string, unknown> }[] }>(
      result,
    ).interruptions;
    const byId = new Map(listed.map((item) => [item.id, item.spokenReason]));
    const heard = spokenReasonDetail(server.station.db, ids.spoken);
    expect(byId.get(ids.spoken)).toEqual({
      state: 'detected',
      speechStartSeconds: heard.speechStartSeconds,
      speechSeconds: heard.speechSeconds,
      clipSha256: heard.clipSha256,
    });
    expect(byId.get(ids.silent)).toEqual({
      state: 'absent',
      speechStartSeconds: null,
      speechSeconds: 0,
      clipSha256: null,
    });
    expect(byId.get(ids.mute)).toMatchObject({ state: 'no-audio', clipSha256: null });
  });

  it('raises an alert at once for a silent resumption in an art. 20 activity, and statistics count both', () => {
    const { db, config, clock } = server.station;
    const alerts = () =>
      collectAlerts({ db, config, now: clock.now(), freeBytes: 1e12 }).filter(
        (alert) => alert.kind === 'spoken-reason-absent',
      );
    expect(alerts()).toEqual([]);
    const silent = spokenReasonDetail(db, ids.silent);
    const spoken = spokenReasonDetail(db, ids.spoken);
    tagActivity(db, { recordingId: silent.recordingId!, kind: 'seizure', by: 'clerk' }, clock.now());
    tagActivity(db, { recordingId: spoken.recordingId!, kind: 'seizure', by: 'clerk' }, clock.now());
    expect(alerts()).toEqual([
      expect.objectContaining({ severity: 'critical', subject: `#${ids.silent}`, link: expect.any(String) }),
    ]);
    const month = monthOf(new Date(Date.now() - 3 * 3600_000), config.station.timezone);
    const { totals } = monthlyStatistics(db, config.station.timezone, month);
    expect(totals).toMatchObject({ interruptions: 3, spokenReasons: 1, silentResumptions: 1 });
  });

  it('is resumed from the database at start: a check cut short is redone (decoding again) and finds its own clip', async () => {
    const { db, archive, config } = server.station;
    const before = spokenReasonDetail(db, ids.spoken);
    db.prepare('DELETE FROM spoken_reasons WHERE interruption_id = ?').run(ids.spoken);
    const leftover = path.join(archive.root, '.derived/spoken-reason/.partial-killed.wav');
    await writeFile(leftover, 'half a clip');
    const restarted = await openStation({ config, logger: silentLogger });
    try {
      const summary = await resumeUnfinishedWork(restarted);
      expect(summary.spokenReasonChecks).toBe(1);
      await restarted.playback.whenIdle();
      // The playback check's sound went with the process that decoded it: this one decodes again.
      expect(await ownDecodings()).toBe(1);
      expect(spokenReasonDetail(restarted.db, ids.spoken)).toMatchObject({
        state: 'detected',
        clipPath: before.clipPath,
        clipSha256: before.clipSha256,
      });
      await expect(stat(leftover)).rejects.toThrow();
    } finally {
      restarted.close();
    }
  });

  it('plays its clip to those who may hear it, on the record, and to nobody else', async () => {
    const { db } = server.station;
    const heard = spokenReasonDetail(db, ids.spoken);
    const clerk = await loggedIn(server, 'clerk');
    const page = await (await clerk.get('/interruptions')).text();
    expect(page).toContain('已语音说明（从 00:03 起，');
    expect(page).toContain(`<audio controls preload="none" src="/interruptions/${ids.spoken}/spoken-reason"`);
    expect(page).toContain('未检测到语音说明');
    const clip = await clerk.get(`/interruptions/${ids.spoken}/spoken-reason`);
    expect(clip.status).toBe(200);
    expect(clip.headers.get('content-type')).toBe('audio/wav');
    expect(sha256(Buffer.from(await clip.arrayBuffer()))).toBe(heard.clipSha256);
    const views = auditTrail(db, 'recording', heard.recordingId!).filter((entry) => entry.action === 'view');
    expect(views.at(-1)).toMatchObject({
      actor: 'clerk',
      detail: { via: 'spoken-reason-clip', file: heard.clipPath },
    });

    // Ops see interruptions but not footage; an auditor needs a leader's grant (art. 27).
    for (const role of ['ops', 'auditor']) {
      const client = await loggedIn(server, role);
      expect(await (await client.get('/interruptions')).text()).not.toContain('<audio');
      expect((await client.get(`/interruptions/${ids.spoken}/spoken-reason`)).status).toBe(403);
    }
    expect((await clerk.get(`/interruptions/${ids.silent}/spoken-reason`)).status).toBe(404);
  });

  it('puts every range of the clip on the record, not only one that starts at byte 0', async () => {
    const { db } = server.station;
    const heard = spokenReasonDetail(db, ids.spoken);
    const clerk = await loggedIn(server, 'clerk');
    const since = Number(db.prepare('SELECT MAX(id) FROM audit_log').pluck().get());
    const clip = await clerk.get(`/interruptions/${ids.spoken}/spoken-reason`, { range: 'bytes=1-' });
    expect(clip.status).toBe(206);
    const served = (await clip.arrayBuffer()).byteLength;
    expect(served).toBeGreaterThan(1000);
    const views = auditTrail(db, 'recording', heard.recordingId!).filter(
      (entry) => entry.id > since && entry.action === 'view',
    );
    expect(views).toEqual([
      expect.objectContaining({
        actor: 'clerk',
        detail: expect.objectContaining({ via: 'spoken-reason-clip', ranges: [[1, served]], bytes: served }),
      }),
    ]);
  });

  it('keeps the clip from an officer where access.officerViewsOwn is off, as it keeps the footage', async () => {
    const { config } = server.station;
    const officer = await loggedIn(server, 'officer');
    config.access.officerViewsOwn = false;
    try {
      expect((await officer.get(`/interruptions/${ids.spoken}/spoken-reason`)).status).toBe(403);
    } finally {
      config.access.officerViewsOwn = true;
    }
    expect((await officer.get(`/interruptions/${ids.spoken}/spoken-reason`)).status).toBe(200);
  });

  it('shows the officer the spoken reason with a working player in Chromium', async () => {
    const browser = await launchChromium();
    const users = new BrowserUsers(browser, () => server.baseUrl);
    try {
      const page = await users.logIn('officer', passwordOf('officer'));
      await page.goto(`${server.baseUrl}/interruptions`);
      const cell = page.locator(`tr[data-interruption="${ids.spoken}"] td.spoken-reason`);
      await expect(cell.textContent()).resolves.toContain('已语音说明（从 00:03 起');
      await expect(
        page.locator(`tr[data-interruption="${ids.silent}"] td.spoken-reason`).textContent(),
      ).resolves.toBe('未检测到语音说明');
      await screenshots('spoken-reason')(page, 'interruptions');
      // The browser fetches the clip and reads its length: it really is playable audio.
      const duration = await cell.locator('audio').evaluate(
        (audio: HTMLAudioElement) =>
          new Promise<number>((resolve, reject) => {
            audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
            audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}`)));
            audio.preload = 'metadata';
            audio.load();
          }),
      );
      expect(duration).toBeCloseTo(spokenReasonDetail(server.station.db, ids.spoken).clipSeconds!, 0);
    } finally {
      await users.close();
      await browser.close();
    }
  });
});
