import type { FastifyRequest } from 'fastify';
import { type DockState, redockStates, safeToUndockStates } from '../../dock/dock-session.ts';
import { codeLabel, type MessageKey } from '../../i18n/catalogue.ts';
import { formatBytes, formatDateTime, formatSpan, percent } from '../../i18n/format.ts';
import { fileNoteLabel } from '../../ingest/file-notes.ts';
import type { Db } from '../../ledger/database.ts';
import { holderAt } from '../../ledger/devices.ts';
import { type Dock, type DockFile, listDockFiles } from '../../ledger/docks.ts';
import { badPlaybackStatuses, type PlaybackStatusShown } from '../../ledger/playback-status.ts';
import { type DockFinding, dockFileResults, dockFindings } from '../data/dock-findings.ts';
import { type Html, html } from '../html.ts';
import { type KnownOfficer, officerLabel } from './officer.ts';

export function dockOfficer(db: Db, dock: Dock, now: Date): KnownOfficer | null {
  // Its files' recordings, new ones or those already archived from an earlier dock of the same recorder.
  const fromRecordings = db
    .prepare(
      `SELECT r.officer_name AS name, r.badge FROM dock_files f JOIN recordings r ON r.id = f.recording_id
       WHERE f.dock_id = ? AND r.badge IS NOT NULL LIMIT 1`,
    )
    .get(dock.id) as KnownOfficer | undefined;
  if (fromRecordings) return fromRecordings;
  const holder = dock.deviceId ? holderAt(db, dock.deviceId, now) : null;
  return holder ? { name: holder.name, badge: holder.badge } : null;
}

export const dockStateLabel = (t: FastifyRequest['t'], state: string) =>
  t(`dash.dockState.${state}` as MessageKey);

/** Why a dock ended without archiving everything, in the reader's language; null when it did not. */
export const dockReasonLabel = (t: FastifyRequest['t'], reason: string | null) =>
  reason ? codeLabel(t, 'dash.dockReason.', reason) : null;

export const dockFileStates = [
  'pending',
  'copying',
  'done',
  'duplicate',
  'known',
  'skipped',
  'failed',
] as const;
export const fileStateLabel = (t: FastifyRequest['t'], state: string) =>
  t(`dash.fileState.${state}` as MessageKey);

function safety(request: FastifyRequest, state: string): Html {
  const { t } = request;
  if (safeToUndockStates.includes(state as DockState))
    return html`<p class="safe yes">${t('dash.docks.safe')}</p>`;
  if (redockStates.includes(state as DockState))
    return html`<p class="safe no">${t('dash.docks.redock')}</p>`;
  return html`<p class="safe no">${t('dash.docks.notSafe')}</p>`;
}

/** The note on a file in the reader's language; a row from before notes shows its technical reason. */
function fileNote(request: FastifyRequest, file: DockFile): Html | string {
  if (file.note) return html` <span class="note muted">${fileNoteLabel(request.t, file.note)}</span>`;
  return file.reason ? html` <code class="note muted">${file.reason}</code>` : '';
}

/** The file's recording and whether it plays back, as every page says it. */
function fileResult(
  request: FastifyRequest,
  file: DockFile,
  status: PlaybackStatusShown | undefined,
): Html | string {
  if (!file.recordingId || file.state === 'known') return '';
  const { t } = request;
  const tone = status === 'ok' ? 'good' : status && badPlaybackStatuses.includes(status) ? 'bad' : 'muted';
  return html` · <a href="/recordings/${file.recordingId}">${t('dash.docks.fileRecording', { id: file.recordingId })}</a>${
    status
      ? html` <span class="playback ${tone}" data-playback="${status}">${t(`playback.${status}`)}</span>`
      : ''
  }`;
}

function fileRow(request: FastifyRequest, file: DockFile, status: PlaybackStatusShown | undefined): Html {
  const done = file.state === 'done' || file.state === 'duplicate' || file.state === 'known';
  const value = done ? 100 : percent(file.bytesDone, file.sizeBytes);
  return html`<li data-file="${file.sourcePath}" data-state="${file.state}"><span class="name">${file.sourcePath}</span>
<progress max="100" value="${value}"></progress> <span class="file-state">${
    // "Already archived as recording #6" says the state already.
    file.state === 'known' && file.note ? '' : fileStateLabel(request.t, file.state)
  }</span>${fileResult(request, file, status)}${fileNote(request, file)}</li>`;
}

function findingItem(request: FastifyRequest, finding: DockFinding): Html {
  const { t } = request;
  const values: Record<string, string | number> = { ...finding.values };
  if (finding.kind === 'clockFast' || finding.kind === 'clockSlow')
    values.span = formatSpan(t, finding.values.seconds);
  if (finding.kind === 'lowStorage') values.free = formatBytes(finding.values.free);
  const tone = finding.kind === 'checking' || finding.kind === 'interruptionExplained' ? 'muted' : 'warn';
  const link = finding.link
    ? html` <a class="act" href="${finding.link.href}">${t(`dash.docks.act.${finding.link.label}`)}</a>`
    : '';
  return html`<li class="finding ${tone}" data-finding="${finding.kind}">${t(`dash.docks.finding.${finding.kind}`, values)}${link}</li>`;
}

/**
 * One dock's live card; docks.js updates the same elements from server-sent events. Without
 * `withFiles` (a role that may not read the ledger) the card shows progress but no file names.
 */
export function dockCard(
  request: FastifyRequest,
  db: Db,
  dock: Dock,
  options: {
    zone: string;
    now: Date;
    thresholds: { lowStoragePercent: number; lowBatteryPercent: number };
    withFiles?: boolean;
  },
): Html {
  const { t } = request;
  const { zone, now } = options;
  const withFiles = options.withFiles ?? true;
  const files = withFiles ? listDockFiles(db, dock.id).filter((file) => file.state !== 'skipped') : [];
  const results = dockFileResults(db, dock.id);
  const findings = dockFindings(db, dock, results, options.thresholds).filter(
    (finding) => withFiles || !finding.aboutFiles,
  );
  const finished = safeToUndockStates.includes(dock.state);
  const reason = dockReasonLabel(t, dock.reason);
  const value = finished ? 100 : percent(dock.bytesDone, dock.bytesTotal);
  // Until a recording names a badge or the recorder has a holder, nobody is known: leave the part out.
  const officer = officerLabel(t, dockOfficer(db, dock, now));
  return html`<section class="card dock" data-dock="${dock.id}" data-state="${dock.state}" data-bytes-total="${dock.bytesTotal}">
<h3>${t('dash.docks.dock', { id: dock.id })} · ${dock.deviceSerial ?? dock.volumeLabel ?? dock.sourcePath}
${officer ? html` · <span class="officer">${officer}</span>` : ''} · <span class="state">${dockStateLabel(t, dock.state)}</span></h3>
<progress class="dock-progress" max="100" value="${value}"></progress>
<p><span class="percent">${value}%</span> · <span class="bytes">${formatBytes(dock.bytesDone)} / ${formatBytes(dock.bytesTotal)}</span>
 · ${t('dash.docks.speed')}: <span class="speed">–</span> · ${t('dash.docks.timeLeft')}: <span class="eta">–</span>
 · ${t('dash.docks.started')}: ${formatDateTime(dock.startedAt, zone)}</p>
<div class="safety">${safety(request, dock.state)}</div>
${reason ? html`<p class="reason" data-reason="${dock.reason}">${reason}${dock.detail ? html` <code class="muted">${dock.detail}</code>` : ''}</p>` : ''}
${findings.length ? html`<ul class="findings">${findings.map((finding) => findingItem(request, finding))}</ul>` : ''}
<ul class="files">${files.map((file) => fileRow(request, file, file.recordingId ? results.get(file.recordingId) : undefined))}</ul>
</section>`;
}
