import type { FastifyRequest } from 'fastify';
import { listOfficers } from '../../ledger/officers.ts';
import { type Html, html } from '../html.ts';
import { csrfField } from './layout.ts';

/** Picks the officer for a recording whose officer is unknown; `back` is where the clerk returns. */
export function assignForm(request: FastifyRequest, row: { id: number }, back: string): Html {
  const { t } = request;
  const officers = listOfficers(request.server.station.db);
  return html`<form method="post" action="/recordings/${row.id}/assign?back=${encodeURIComponent(back)}" class="inline assign">${csrfField(request)}
<select name="badge" required><option value="">${t('dash.unassigned.choose')}</option>
${officers.map((officer) => html`<option value="${officer.badge}">${officer.name} ${officer.badge}</option>`)}</select>
<button type="submit">${t('dash.unassigned.assign')}</button></form>`;
}

/** Moving an assigned recording to another officer: a reason, and a leader approves (custody/reassignment.ts). */
export function reassignForm(request: FastifyRequest, row: { id: number }): Html {
  const { t } = request;
  const officers = listOfficers(request.server.station.db);
  return html`<form method="post" action="/recordings/${row.id}/reassign" class="inline reassign" id="reassign-form">${csrfField(request)}
<select name="badge" required><option value="">${t('dash.unassigned.choose')}</option>
${officers.map((officer) => html`<option value="${officer.badge}">${officer.name} ${officer.badge}</option>`)}</select>
<label>${t('dash.reassign.reason')} <input name="reason" required maxlength="2000"></label>
<button type="submit">${t('dash.reassign.submit')}</button></form>`;
}
