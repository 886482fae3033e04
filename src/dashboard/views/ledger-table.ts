import type { FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/catalogue.ts';
import type { LedgerListRow } from '../data/ledger-query.ts';
import { formatDateTime, formatDuration } from '../format.ts';
import { type Html, html } from '../html.ts';

export function playbackLabel(
  request: FastifyRequest,
  row: Pick<LedgerListRow, 'playback' | 'notPlayingAt'>,
): Html {
  const { t } = request;
  if (row.notPlayingAt) return html`<span class="bad">${t('dash.playback.notPlaying')}</span>`;
  const label = t(`playback.${row.playback}` as MessageKey);
  return row.playback === 'ok'
    ? html`<span class="good">${label}</span>`
    : row.playback === 'pending'
      ? html`${label}`
      : html`<span class="bad">${label}</span>`;
}

export function ledgerTable(
  request: FastifyRequest,
  rows: LedgerListRow[],
  zone: string,
  extraColumn?: (row: LedgerListRow) => Html,
): Html {
  const { t } = request;
  return html`<table class="ledger"><thead><tr><th>${t('ledger.id')}</th><th>${t('ledger.officerName')}</th><th>${t('ledger.badge')}</th>
<th>${t('ledger.date')}</th><th>${t('ledger.start')}</th><th>${t('dash.ledger.duration')}</th><th>${t('ledger.device')}</th><th>${t('ledger.kind')}</th>
<th>${t('ledger.playback')}</th><th>${t('ledger.late')}</th><th>${t('ledger.confirmed')}</th>${extraColumn ? html`<th></th>` : ''}</tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-id="${row.id}"><td><a href="/recordings/${row.id}">${row.id}</a></td>
<td>${row.officerName ?? html`<span class="muted">${t('common.unassigned')}</span>`}</td><td>${row.badge ?? ''}</td><td>${row.date ?? ''}</td>
<td>${formatDateTime(row.start, zone)}</td><td>${row.kind === 'photo' ? '' : formatDuration(row.durationSeconds)}</td><td>${row.deviceSerial ?? ''}</td>
<td>${t(`kind.${row.kind}` as MessageKey)}</td><td>${playbackLabel(request, row)}</td>
<td>${row.late ? html`<span class="bad">${t('common.yes')}</span>` : t('common.no')}</td>
<td class="confirmed">${row.confirmedAt ? html`${formatDateTime(row.confirmedAt, zone)} ${row.confirmedBy ?? ''}` : ''}</td>
${extraColumn ? html`<td>${extraColumn(row)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}
