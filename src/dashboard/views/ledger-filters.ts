import type { FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/catalogue.ts';
import { playbackStatuses } from '../../ledger/playback-status.ts';
import { defaultPageSize, type LedgerQuery, sortOrders } from '../data/ledger-query.ts';
import { type Html, html } from '../html.ts';

/** The current filter as a query string (without page), for export links and paging. */
export function filterQuery(query: LedgerQuery, overrides: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...overrides })) {
    if (value === undefined || value === '' || value === false || key === 'lang') continue;
    params.set(key, String(value));
  }
  return params.toString();
}

const pageSizes = [20, 50, 100, 200];

/** The filter form of the ledger page, showing the filter in force. */
export function filterForm(request: FastifyRequest, query: LedgerQuery): Html {
  const { t } = request;
  const text = (name: keyof LedgerQuery, label: MessageKey, type = 'text') =>
    html`<label>${t(label)}<input type="${type}" name="${name}" value="${String(query[name] ?? '')}"></label>`;
  const check = (name: 'late' | 'unconfirmed' | 'unassigned', label: MessageKey) =>
    html`<label>${t(label)}<input type="checkbox" name="${name}" value="true" ${query[name] ? 'checked' : ''}></label>`;
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}" ${selected ? 'selected' : ''}>${label}</option>`;
  return html`<form method="get" action="/ledger" class="filters" id="ledger-filters">
${request.user!.role === 'officer' ? '' : html`${text('officer', 'ledger.officerName')}${text('badge', 'ledger.badge')}`}
${text('device', 'ledger.device')}${text('from', 'dash.ledger.from', 'date')}${text('to', 'dash.ledger.to', 'date')}
<label>${t('ledger.playback')}<select name="playback">${option('', t('dash.ledger.any'), !query.playback)}
${playbackStatuses.map((state) => option(state, t(`playback.${state}`), query.playback === state))}</select></label>
${check('late', 'dash.ledger.late')}${check('unconfirmed', 'dash.ledger.unconfirmed')}${check('unassigned', 'dash.ledger.unassigned')}
<label>${t('dash.ledger.sort')}<select name="sort">${sortOrders.map((order) => option(order, t(`dash.ledger.sort.${order}` as MessageKey), (query.sort ?? 'newest') === order))}</select></label>
<label>${t('dash.ledger.pageSize')}<select name="pageSize">${pageSizes.map((size) => option(String(size), String(size), (query.pageSize ?? defaultPageSize) === size))}</select></label>
${query.dock ? text('dock', 'dash.ledger.dock', 'number') : ''}
<button type="submit" id="apply-filter">${t('dash.ledger.apply')}</button> <a href="/ledger">${t('dash.ledger.reset')}</a>
</form>`;
}
