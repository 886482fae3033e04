import type { FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/catalogue.ts';
import { formatDateTime, formatDuration } from '../../i18n/format.ts';
import { playbackStatus } from '../../ledger/playback-status.ts';
import type { LedgerListRow } from '../data/ledger-query.ts';
import { type Html, html } from '../html.ts';

export function playbackLabel(
  request: FastifyRequest,
  row: Pick<LedgerListRow, 'playback' | 'notPlayingAt'>,
): Html {
  const status = playbackStatus(row);
  const label = request.t(`playback.${status}`);
  const tone = status === 'ok' ? 'good' : status === 'pending' ? 'muted' : 'bad';
  return html`<span class="${tone}" data-playback="${status}">${label}</span>`;
}

export function ledgerTable(
  request: FastifyRequest,
  rows: LedgerListRow[],
  zone: string,
  extraColumn?: (row: LedgerListRow) => Html,
): Html {
  const { t } = request;
  return html`<table class="ledger"><thead><tr><th>${t('ledger.id')}</th><th>${t('ledger.officerName')}</th><th>${t('ledger.badge')}</th>
<th>${t('ledger.date')}</th><th>${t('ledger.start')}</th><th>${t('ledger.end')}</th><th>${t('ledger.duration')}</th><th>${t('ledger.device')}</th><th>${t('ledger.kind')}</th>
<th>${t('ledger.playback')}</th><th>${t('ledger.late')}</th><th>${t('ledger.confirmedBy')}</th><th>${t('ledger.confirmedAt')}</th>${extraColumn ? html`<th></th>` : ''}</tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-id="${row.id}"><td><a href="/recordings/${row.id}">${row.id}</a></td>
<td>${row.officerName ?? html`<span class="muted">${t('common.unassigned')}</span>`}</td><td>${row.badge ?? ''}</td><td>${row.date ?? ''}</td>
<td>${formatDateTime(row.start, zone)}</td><td>${formatDateTime(row.end, zone)}</td><td>${row.kind === 'photo' ? '' : formatDuration(row.durationSeconds)}</td><td>${row.deviceSerial ?? ''}</td>
<td>${t(`kind.${row.kind}` as MessageKey)}</td><td>${playbackLabel(request, row)}</td>
<td>${row.late ? html`<span class="bad">${t('common.yes')}</span>` : t('common.no')}</td>
<td class="confirmed-by">${row.confirmedBy ?? ''}</td><td class="confirmed">${formatDateTime(row.confirmedAt, zone)}</td>
${extraColumn ? html`<td>${extraColumn(row)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}
