import type { FastifyRequest } from 'fastify';
import { type AuditEntry, auditTrail } from '../../custody/audit-log.ts';
import { currentDecision, type Decision } from '../../custody/corrections.ts';
import { codeLabel, isMessageKey, type MessageKey } from '../../i18n/catalogue.ts';
import { formatBytes, formatDateTime, formatDuration } from '../../i18n/format.ts';
import type { PlaybackCheck, PlaybackReport } from '../../media/playback-check.ts';
import { allows } from '../access.ts';
import type { LedgerRow } from '../data/ledger-query.ts';
import { type Html, html } from '../html.ts';
import type { Translate } from '../plugins/language.ts';
import { assignForm, reassignForm } from './assign-form.ts';
import { csrfField } from './layout.ts';
import { playbackLabel } from './ledger-table.ts';
import { personNamed } from './person.ts';
import { recordingCompliance } from './recording-compliance.ts';

/** What a check found, in the reader's words; a report from before the phrases shows its English detail. */
function checkFinding(t: Translate, check: PlaybackCheck): Html {
  if (!check.says) return html`<code class="muted">${check.detail}</code>`;
  const phrases = check.says.map((phrase) =>
    isMessageKey(`check.say.${phrase.code}`)
      ? t(`check.say.${phrase.code}` as MessageKey, phrase.values)
      : phrase.code,
  );
  // A failed check keeps the tool's own words beside, for whoever looks into the file.
  const raw = check.ok ? '' : html`<br><code class="muted">${check.detail}</code>`;
  return html`<span class="finding-text">${phrases.join(t('check.separator'))}</span>${raw}`;
}

/**
 * Each check the playback test ran, passed or not, and the decoder's own errors (ffmpeg's own lines,
 * in English, for whoever reads decoder output).
 */
function playbackChecks(request: FastifyRequest, report: PlaybackReport): Html {
  const { t } = request;
  const rows = report.checks.map(
    (check) =>
      html`<tr data-check="${check.name}"><td class="${check.ok ? 'good' : 'bad'}">${check.ok ? '✓' : '✗'} ${t(check.ok ? 'dash.check.passed' : 'dash.check.failed')}</td><td>${codeLabel(t, 'dash.check.', check.name)}</td><td>${checkFinding(t, check)}</td></tr>`,
  );
  const errors = report.errors.length
    ? html`<h3>${t('dash.recording.decoderErrors')}</h3><pre>${report.errors.join('\n')}</pre>`
    : '';
  return html`<h2>${t('dash.recording.playbackDetail')}</h2><table id="playback-checks"><tbody>${rows}</tbody></table>${errors}`;
}

// Stored times are UTC instants; a person reads them in the station's zone.
// Hashes and paths stay in code type, to be read character by character; people's words do not.
const technicalKeys = new Set(['sha256', 'actualSha256', 'archivePath', 'sourcePath', 'outDir', 'name']);
const storedInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** One value of an audit entry as a person reads it: words for codes, local times, nested facts spelt out. */
function auditValue(t: Translate, zone: string, key: string, value: unknown): Html | string {
  if (value === null || value === undefined) return t('dash.audit.none');
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'string') {
    if (key === 'via') return codeLabel(t, 'dash.audit.via.', value);
    // What a correction changed: a field of the row, or the clerk's decision it withdrew.
    if (key === 'field') return codeLabel(t, 'correction.field.', value);
    // The playback check's result (playback-queue.ts).
    if (key === 'status') return codeLabel(t, 'playback.', value);
    if (storedInstant.test(value)) return formatDateTime(value, zone);
    if (!technicalKeys.has(key)) return value;
  }
  if (Array.isArray(value))
    return html`${value.map((item, index) => html`${index > 0 ? '、' : ''}${auditValue(t, zone, key, item)}`)}`;
  if (typeof value === 'object')
    return html`（${auditFacts(t, zone, value as Record<string, unknown>, '，')}）`;
  return html`<code>${String(value)}</code>`;
}

function auditFacts(t: Translate, zone: string, facts: Record<string, unknown>, separator: string): Html[] {
  return Object.entries(facts).map(
    ([key, value], index) =>
      html`${index > 0 ? separator : ''}${codeLabel(t, 'dash.audit.key.', key)}: ${auditValue(t, zone, key, value)}`,
  );
}

// The seal and the sealed values are for `station verify`, not for people: the history shows what happened.
function auditSummary(t: Translate, zone: string, detail: Record<string, unknown>): Html[] {
  const { seal: _seal, sealed: _sealed, session: _session, ...rest } = detail;
  return auditFacts(t, zone, rest, ' · ');
}

function player(row: LedgerRow): Html {
  const source = `/recordings/${row.id}/media`;
  if (row.kind === 'video')
    return html`<video id="player" controls preload="none" src="${source}" style="max-width:100%;max-height:60vh"></video>`;
  if (row.kind === 'audio') return html`<audio id="player" controls preload="none" src="${source}"></audio>`;
  return html`<img id="player" src="${source}" alt="" style="max-width:100%;max-height:60vh">`;
}

/** Problems with what the clerk typed, shown beside the field on the same page. */
export interface ReviewErrors {
  note?: string;
  reason?: string;
}

/** Why the decision was taken, from its own audit entry: the clerk's words, or how it was made. */
function decisionReason(t: Translate, decision: Decision, row: LedgerRow, history: AuditEntry[]): string {
  if (decision === 'not-playing') return row.notPlayingNote ?? '';
  const entry = history.findLast((item) => item.action === 'confirm');
  const note = typeof entry?.detail.note === 'string' ? entry.detail.note : '';
  if (note) return note;
  return entry?.detail.bulkDock
    ? t('dash.decision.bulk', { dock: String(entry.detail.bulkDock) })
    : t('dash.decision.single');
}

/**
 * A decision replaces the buttons that made it: who took it, when and why, and a form to withdraw it
 * with a reason (a correction on the record, custody/corrections.ts). Without one, the two buttons.
 */
function reviewForms(
  request: FastifyRequest,
  row: LedgerRow,
  zone: string,
  history: AuditEntry[],
  errors: ReviewErrors,
  canDecide: boolean,
): Html | string {
  const { t } = request;
  const { db } = request.server.station;
  const decision = currentDecision(row);
  if (decision) {
    const confirmed = decision === 'confirmation';
    const who = confirmed ? row.confirmedBy : row.notPlayingBy;
    const at = confirmed ? row.confirmedAt : row.notPlayingAt;
    return html`<div class="card" id="review">
<h2>${t('dash.recording.review')}</h2>
<div id="decision" data-decision="${decision}">
<p class="${confirmed ? 'good' : 'bad'}" id="${confirmed ? 'confirmed-note' : 'not-playing-note'}">${t(confirmed ? 'dash.decision.confirmed' : 'dash.decision.notPlaying')}</p>
<table class="decision"><tr><th>${t('dash.decision.by')}</th><td id="decision-by">${who ? personNamed(db, who) : ''}</td></tr>
<tr><th>${t('dash.decision.at')}</th><td id="decision-at">${formatDateTime(at, zone)}</td></tr>
<tr><th>${t('dash.decision.why')}</th><td id="decision-why">${decisionReason(t, decision, row, history)}</td></tr></table>
${
  canDecide
    ? html`<form method="post" action="/recordings/${row.id}/withdraw" id="withdraw-form">${csrfField(request)}<input type="hidden" name="decision" value="${decision}">
<label>${t('dash.decision.withdrawReason')} <input name="reason" size="40" required aria-invalid="${errors.reason ? 'true' : 'false'}"></label>
${errors.reason ? html`<span class="bad field-error" id="reason-error">${errors.reason}</span>` : ''}
<button type="submit" id="withdraw-decision">${t('dash.decision.withdraw')}</button></form>`
    : ''
}
</div></div>`;
  }
  if (!canDecide) return '';
  return html`<div class="card" id="review">
<h2>${t('dash.recording.review')}</h2>
<form method="post" action="/recordings/${row.id}/confirm">${csrfField(request)}
<label>${t('dash.recording.confirmNote')} <input name="note" size="40"></label>
<button type="submit" id="confirm-recording">${t('dash.recording.confirm')}</button></form>
<form method="post" action="/recordings/${row.id}/not-playing">${csrfField(request)}
<label>${t('dash.recording.note')} <input name="note" size="40" required aria-invalid="${errors.note ? 'true' : 'false'}"></label>
${errors.note ? html`<span class="bad field-error" id="note-error">${errors.note}</span>` : ''}
<button type="submit" id="mark-not-playing">${t('dash.recording.markNotPlaying')}</button></form>
</div>`;
}

/** Everything the ledger knows about one recording, its history, and the player where allowed. */
export function recordingDetail(
  request: FastifyRequest,
  row: LedgerRow,
  zone: string,
  playable: boolean,
  errors: ReviewErrors = {},
): Html {
  const { t, user } = request;
  const stages: [MessageKey, string | null][] = [
    ['dash.recording.ingestedAt', row.ingestedAt],
    ['dash.recording.copiedAt', row.copiedAt],
    ['dash.recording.verifiedAt', row.verifiedAt],
    ['dash.recording.probedAt', row.probedAt],
    ['dash.recording.confirmedAt', row.confirmedAt],
    ['dash.recording.notPlayingAt', row.notPlayingAt],
  ];
  const fields: [MessageKey, Html | string | number | null][] = [
    ['ledger.officerName', row.officerName ?? t('common.unassigned')],
    ['ledger.badge', row.badge],
    ['ledger.device', row.deviceSerial],
    ['ledger.kind', t(`kind.${row.kind}` as MessageKey)],
    ['ledger.date', row.date],
    ['ledger.start', formatDateTime(row.start, zone)],
    ['ledger.end', formatDateTime(row.end, zone)],
    ['dash.ledger.duration', row.kind === 'photo' ? '' : formatDuration(row.durationSeconds)],
    ['dash.recording.startSource', row.startSource && codeLabel(t, 'dash.startSource.', row.startSource)],
    [
      'dash.recording.timeFlags',
      row.timeFlags.map((flag) => codeLabel(t, 'dash.timeFlag.', flag)).join(', '),
    ],
    ['dash.recording.size', formatBytes(row.sizeBytes)],
    ['ledger.playback', playbackLabel(request, row)],
    ['ledger.late', row.late ? t('common.yes') : t('common.no')],
    ['ledger.sourcePath', row.sourcePath],
    ['ledger.archivePath', row.archivePath],
    ['ledger.sha256', html`<code id="sha256">${row.sha256}</code>`],
    ['dash.recording.dock', row.dockId ? html`<a href="/ledger?dock=${row.dockId}">#${row.dockId}</a>` : ''],
    [
      'dash.recording.duplicateOf',
      row.duplicateOf ? html`<a href="/recordings/${row.duplicateOf}">#${row.duplicateOf}</a>` : '',
    ],
  ];
  const history = auditTrail(request.server.station.db, 'recording', row.id);
  const back = `/recordings/${row.id}`;
  return html`
${playable ? html`<div class="card">${player(row)}</div>` : ''}
${reviewForms(request, row, zone, history, errors, allows('confirm', user!.role))}
${allows('assignOfficer', user!.role) && row.officerId === null ? html`<div class="card"><h2>${t('dash.unassigned.assign')}</h2>${assignForm(request, row, back)}</div>` : ''}
${allows('requestReassignment', user!.role) && row.officerId !== null ? html`<div class="card"><h2>${t('dash.reassign.title')}</h2>${reassignForm(request, row)}</div>` : ''}
<table id="metadata">${fields.map(([key, value]) => html`<tr><th>${t(key)}</th><td>${value ?? ''}</td></tr>`)}</table>
<h2>${t('dash.recording.stages')}</h2>
<table id="stages">${stages.map(([key, at]) => html`<tr><th>${t(key)}</th><td>${formatDateTime(at, zone)}</td></tr>`)}</table>
${row.playbackDetail ? playbackChecks(request, row.playbackDetail) : ''}
${recordingCompliance(request, row)}
<h2>${t('dash.recording.history')}</h2>
<table id="history"><thead><tr><th>${t('dash.audit.at')}</th><th>${t('dash.audit.actor')}</th><th>${t('dash.audit.action')}</th><th>${t('dash.audit.detail')}</th></tr></thead>
<tbody>${history.map((entry) => html`<tr><td>${formatDateTime(entry.at, zone)}</td><td>${entry.actor}</td><td data-action="${entry.action}">${codeLabel(t, 'dash.audit.action.', entry.action)}</td><td class="audit-detail">${auditSummary(t, zone, entry.detail)}</td></tr>`)}</tbody></table>`;
}
