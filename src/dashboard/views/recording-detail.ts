import type { FastifyRequest } from 'fastify';
import { auditTrail } from '../../custody/audit-log.ts';
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

function auditValue(t: Translate, key: string, value: unknown): Html | string {
  if (value === null || value === undefined) return t('dash.audit.none');
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  if (key === 'via' && typeof value === 'string') return codeLabel(t, 'dash.audit.via.', value);
  return html`<code>${typeof value === 'object' ? JSON.stringify(value) : String(value)}</code>`;
}

// The seal and the sealed values are for `station verify`, not for people: the history shows what happened.
function auditSummary(t: Translate, detail: Record<string, unknown>): Html[] {
  const { seal: _seal, sealed: _sealed, session: _session, ...rest } = detail;
  return Object.entries(rest).map(
    ([key, value], index) =>
      html`${index > 0 ? ' · ' : ''}${codeLabel(t, 'dash.audit.key.', key)}: ${auditValue(t, key, value)}`,
  );
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
}

function reviewForms(request: FastifyRequest, row: LedgerRow, errors: ReviewErrors): Html {
  const { t } = request;
  return html`<div class="card" id="review">
<h2>${t('dash.recording.review')}</h2>
${row.confirmedAt ? html`<p class="good" id="confirmed-note">${t('dash.recording.confirmedBy', { who: row.confirmedBy ?? '' })}</p>` : ''}
<form class="inline" method="post" action="/recordings/${row.id}/confirm">${csrfField(request)}
<button type="submit" id="confirm-recording" ${row.confirmedAt ? 'disabled' : ''}>${t('dash.recording.confirm')}</button></form>
<form method="post" action="/recordings/${row.id}/not-playing">${csrfField(request)}
<label>${t('dash.recording.note')} <input name="note" size="40" required ${errors.note ? 'aria-invalid="true"' : ''}></label>
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
${allows('confirm', user!.role) ? reviewForms(request, row, errors) : ''}
${allows('assignOfficer', user!.role) && row.officerId === null ? html`<div class="card"><h2>${t('dash.unassigned.assign')}</h2>${assignForm(request, row, back)}</div>` : ''}
${allows('requestReassignment', user!.role) && row.officerId !== null ? html`<div class="card"><h2>${t('dash.reassign.title')}</h2>${reassignForm(request, row)}</div>` : ''}
<table id="metadata">${fields.map(([key, value]) => html`<tr><th>${t(key)}</th><td>${value ?? ''}</td></tr>`)}</table>
<h2>${t('dash.recording.stages')}</h2>
<table id="stages">${stages.map(([key, at]) => html`<tr><th>${t(key)}</th><td>${formatDateTime(at, zone)}</td></tr>`)}</table>
${row.notPlayingNote ? html`<p>${t('dash.recording.note')}: ${row.notPlayingNote}</p>` : ''}
${row.playbackDetail ? playbackChecks(request, row.playbackDetail) : ''}
${recordingCompliance(request, row)}
<h2>${t('dash.recording.history')}</h2>
<table id="history"><thead><tr><th>${t('dash.audit.at')}</th><th>${t('dash.audit.actor')}</th><th>${t('dash.audit.action')}</th><th>${t('dash.audit.detail')}</th></tr></thead>
<tbody>${history.map((entry) => html`<tr><td>${formatDateTime(entry.at, zone)}</td><td>${entry.actor}</td><td data-action="${entry.action}">${codeLabel(t, 'dash.audit.action.', entry.action)}</td><td>${auditSummary(t, entry.detail)}</td></tr>`)}</tbody></table>`;
}
