import { rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockStream } from '../src/dashboard/dock-stream.ts';
import { dockFolder } from '../src/dock/dock-session.ts';
import { EventBus } from '../src/events/event-bus.ts';
import { makeSampleRecorder } from '../src/footage/generate.ts';
import { ledgerCsv } from '../src/ledger/ledger-csv.ts';
import { saveOfficer } from '../src/ledger/officers.ts';
import { listRecordings } from '../src/ledger/recordings.ts';
import { type DashboardServer, loggedIn, startDashboard } from './helpers/dashboard-server.ts';

let server: DashboardServer;
const rlo = '\u202E';
// Reads as "report_4pm.exe" wherever the control is honoured.
const trickName = `report_${rlo}exe.MP4`;
// Full-width ＝ works as = in Excel and WPS; names are trimmed when saved, so no leading space here.
const officerName = '＝HYPERLINK("http://evil.example")';
const formulaNames = [
  '\u00a0=HYPERLINK("http://evil.example")',
  ' +cmd',
  '＝1+1',
  '\u3000＠SUM(A1)',
  '－2',
  '＋3',
  '\t=1',
];
let recordingId: number;

beforeAll(async () => {
  server = await startDashboard();
  saveOfficer(server.station.db, { badge: '010009', name: officerName }, new Date());
  const recorder = await makeSampleRecorder(path.join(server.folder, 'bidi'), {
    serial: 'BIDI001',
    badge: '010009',
    start: new Date(Date.now() - 3600_000),
    segments: 1,
    segmentSeconds: 1,
    timezone: server.station.config.station.timezone,
    video: { width: 160, height: 120, fps: 10 },
  });
  const video = recorder.recordings.find((recording) => recording.kind === 'video')!;
  await rename(video.path, path.join(path.dirname(video.path), trickName));
  const report = await dockFolder(server.station, { sourceRoot: recorder.root, origin: 'test' });
  const recording = report.recordings.find((candidate) => candidate.sourcePath.endsWith(trickName));
  if (!recording) throw new Error(`not ingested: ${JSON.stringify(report.skipped)}`);
  recordingId = recording.id;
});
afterAll(async () => {
  await server?.close();
});

describe('names that try to look like something else', () => {
  it('keep the recorder’s name in the ledger but not the bidi control in the archive name', () => {
    const row = server.station.db
      .prepare('SELECT source_path AS sourcePath, archive_path AS archivePath FROM recordings WHERE id = ?')
      .get(recordingId) as { sourcePath: string; archivePath: string };
    expect(row.sourcePath.endsWith(trickName)).toBe(true);
    expect(path.basename(row.archivePath)).toBe('report_exe.MP4');
  });

  it('show bidi controls as visible codes on pages, never raw', async () => {
    const clerk = await loggedIn(server, 'clerk');
    for (const url of [`/recordings/${recordingId}`, '/docks']) {
      const page = await (await clerk.get(url)).text();
      expect(page).not.toContain(rlo);
      expect(page).toContain('report_[U+202E]exe.MP4');
    }
  });

  it('keep spreadsheet formulas out of the CSV export, after spaces and in full-width forms', async () => {
    const clerk = await loggedIn(server, 'clerk');
    const csv = await (await clerk.get('/ledger/export.csv?badge=010009')).text();
    // Rows of recordings (the header and any lines after the table left out).
    const names = csv
      .split('\r\n')
      .filter((line) => /^\d+,/.test(line))
      .map((line) => line.split(',')[1]);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toBe(`"'${officerName.replaceAll('"', '""')}"`);

    const base = listRecordings(server.station.db)[0];
    const text = ledgerCsv(
      formulaNames.map((name, index) => ({ ...base, id: index + 1, officerName: name })),
      'en',
      server.station.config.station.timezone,
    );
    const cells = text
      .split('\r\n')
      .filter((line) => /^\d+,/.test(line))
      .map((line) => line.split(',')[1].replace(/^"/, ''));
    expect(cells.every((cell) => cell.startsWith("'"))).toBe(true);
  });

  it('show them as visible codes in the live dock stream too', () => {
    const events = new EventBus();
    const stream = new DockStream(events);
    const chunks: string[] = [];
    stream.subscribe((chunk) => chunks.push(chunk));
    events.emit('file.done', {
      dockId: 1,
      sourcePath: `DCIM/${trickName}`,
      recordingId: 1,
      outcome: 'done',
      reason: null,
    });
    stream.close();
    expect(chunks.join('')).not.toContain(rlo);
    expect(chunks.join('')).toContain('report_[U+202E]exe.MP4');
  });
});
