import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { User } from '../../../auth/users.ts';
import {
  acceptInterruption,
  explainInterruption,
  findInterruptionItem,
  type InterruptionItem,
  interruptionStates,
  listInterruptions,
  returnInterruption,
} from '../../../compliance/interruptions.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatDateTime, formatDuration } from '../../../i18n/format.ts';
import { allows } from '../../access.ts';
import { type Html, html } from '../../html.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { csrfField, page } from '../../views/layout.ts';
import { spokenReasonCell } from '../../views/spoken-reason.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

// Art. 18, 20: every gap between two segments of one recorder needs the officer's written reason and
// a clerk's acceptance. An officer sees and explains only their own gaps.

// The list keeps every interruption: by default those still waiting for someone, or one state, or all.
const stateFilters = ['waiting', ...interruptionStates, 'all'] as const;
type StateFilter = (typeof stateFilters)[number];
const ListQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    state: Type.Optional(Type.Union(stateFilters.map((state) => Type.Literal(state)))),
    // An empty field of the form is no filter.
    dock: Type.Optional(Type.Union([Type.Literal(''), Type.Integer({ minimum: 1 })])),
  }),
]);
// Ids travel in the form body like every other field of these forms.
const ItemId = Type.Integer({ minimum: 1 });
const AcceptBody = Type.Composite([CsrfBody, Type.Object({ id: ItemId })]);
const ExplainBody = Type.Composite([
  CsrfBody,
  Type.Object({ id: ItemId, explanation: Type.String({ minLength: 1, maxLength: 2000 }) }),
]);
const ReturnBody = Type.Composite([
  CsrfBody,
  Type.Object({ id: ItemId, reason: Type.String({ minLength: 1, maxLength: 2000 }) }),
]);

const statesOf = (filter: StateFilter) =>
  filter === 'all' ? interruptionStates : filter === 'waiting' ? (['open', 'explained'] as const) : [filter];

/** Whether the user may see (and, as an officer, explain) this gap: officers only their own badge's. */
export function mayHandle(user: User, item: InterruptionItem): boolean {
  return user.role !== 'officer' || (user.badge !== null && item.badge === user.badge);
}

const itemField = (item: InterruptionItem) => html`<input type="hidden" name="id" value="${item.id}">`;

/** The clerk's send-back, with the reason the officer will read. */
function returnForm(request: FastifyRequest, item: InterruptionItem): Html {
  const { t } = request;
  return html`<form method="post" action="/interruptions/return" class="return">${csrfField(request)}${itemField(item)}
<input name="reason" size="18" required maxlength="2000" placeholder="${t('dash.interruptions.returnReason')}">
<button type="submit">${t('dash.interruptions.return')}</button></form>`;
}

function actions(request: FastifyRequest, item: InterruptionItem): Html | string {
  const { t, user } = request;
  const role = user!.role;
  if (allows('explainInterruption', role)) {
    if (item.state === 'accepted') return '';
    return html`<form method="post" action="/interruptions/explain" class="explain">${csrfField(request)}${itemField(item)}
<textarea name="explanation" rows="2" cols="30" required maxlength="2000">${item.explanation ?? ''}</textarea>
<button type="submit">${t(item.explanation ? 'dash.interruptions.reexplain' : 'dash.interruptions.explain')}</button></form>`;
  }
  if (allows('acceptInterruption', role)) {
    if (item.state === 'open')
      return html`<span class="muted">${t('dash.interruptions.awaitOfficer')}</span>`;
    if (item.state === 'accepted') return returnForm(request, item);
    return html`<form method="post" action="/interruptions/accept" class="inline accept">${csrfField(request)}${itemField(item)}
<button type="submit">${t('dash.interruptions.accept')}</button></form>${returnForm(request, item)}`;
  }
  return '';
}

/** Where the item stands, and who moved it there and when. */
function stateCell(request: FastifyRequest, item: InterruptionItem, zone: string): Html {
  const { t } = request;
  const label = t(`dash.interruptions.state.${item.state}`);
  const tone = item.state === 'accepted' ? 'good' : item.state === 'open' ? 'bad' : '';
  const returned =
    item.returnedAt && item.state !== 'accepted'
      ? html`<br><span class="returned">${t('dash.interruptions.returned', { by: item.returnedBy ?? '', at: formatDateTime(item.returnedAt, zone), reason: item.returnReason ?? '' })}</span>`
      : '';
  const accepted = item.acceptedAt
    ? html`<br><span class="muted">${item.acceptedBy} ${formatDateTime(item.acceptedAt, zone)}</span>`
    : '';
  return html`<td class="state" data-state="${item.state}"><span class="${tone}">${label}</span>${accepted}${returned}</td>`;
}

function itemRow(request: FastifyRequest, item: InterruptionItem, zone: string): Html {
  const { t } = request;
  const loud = item.activityKinds.length > 0;
  return html`<tr id="interruption-${item.id}" data-interruption="${item.id}" class="${loud ? 'loud' : ''}" data-state="${item.state}"><td>#${item.id}</td><td>${item.deviceSerial ?? ''}</td>
<td>${item.officerName ?? html`<span class="muted">${t('common.unassigned')}</span>`}</td><td>${item.badge ?? ''}</td>
<td>${formatDateTime(item.gapStart, zone)} – ${formatDateTime(item.gapEnd, zone)}</td><td>${formatDuration(item.gapSeconds)}</td>
<td><a href="/recordings/${item.beforeRecordingId}">#${item.beforeRecordingId}</a> → <a href="/recordings/${item.afterRecordingId}">#${item.afterRecordingId}</a></td>
<td class="${loud ? 'bad' : ''}">${item.activityKinds.map((kind) => t(`dash.activity.${kind}` as MessageKey)).join('、')}</td>
<td class="explanation">${item.explanation ? html`${item.explanation}<br><span class="muted">${item.explainedBy} ${formatDateTime(item.explainedAt, zone)}</span>` : html`<span class="bad">${t('dash.interruptions.unexplained')}</span>`}</td>
${spokenReasonCell(request, item)}
${stateCell(request, item, zone)}<td>${actions(request, item)}</td></tr>`;
}

export const interruptionRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  /** The item, if it exists and the user may handle it; otherwise not found, as for a recording. */
  function itemFor(request: FastifyRequest, id: number): InterruptionItem {
    const item = findInterruptionItem(db, id);
    if (!item || !mayHandle(request.user!, item)) throw new HttpError(404, request.t('dash.error.notFound'));
    return item;
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/interruptions',
    {
      schema: { querystring: ListQuery, response: { 200: HtmlPage } },
      config: { permission: 'interruptions' },
    },
    async (request, reply) => {
      const { t, query } = request;
      const filter: StateFilter = query.state ?? 'waiting';
      const dockId = query.dock === '' ? undefined : query.dock;
      const items = listInterruptions(db, { states: statesOf(filter), dockId }).filter((item) =>
        mayHandle(request.user!, item),
      );
      const form = html`<form method="get" action="/interruptions" class="filters" id="interruption-filters">
<label>${t('dash.interruptions.stateFilter')}<select name="state">${stateFilters.map(
        (state) =>
          html`<option value="${state}" ${state === filter ? 'selected' : ''}>${t(`dash.interruptions.filter.${state}`)}</option>`,
      )}</select></label>
<label>${t('dash.interruptions.dock')}<input name="dock" type="number" min="1" size="6" value="${query.dock ?? ''}"></label>
<button type="submit">${t('dash.ledger.apply')}</button></form>
<p id="interruptions-total">${t('dash.interruptions.total', { count: items.length })}</p>`;
      const body = items.length
        ? html`<p class="muted">${t('dash.interruptions.intro')}</p>${form}
<table id="interruptions"><thead><tr><th>${t('ledger.id')}</th><th>${t('ledger.device')}</th><th>${t('ledger.officerName')}</th><th>${t('ledger.badge')}</th>
<th>${t('dash.interruptions.gap')}</th><th>${t('dash.interruptions.length')}</th><th>${t('dash.interruptions.between')}</th>
<th>${t('dash.interruptions.activity')}</th><th>${t('dash.interruptions.explanation')}</th><th>${t('dash.interruptions.spokenReason')}</th><th>${t('dash.interruptions.state')}</th><th></th></tr></thead>
<tbody>${items.map((item) => itemRow(request, item, zone))}</tbody></table>`
        : html`<p class="muted">${t('dash.interruptions.intro')}</p>${form}<p class="good" id="interruptions-none">${t(filter === 'waiting' ? 'dash.interruptions.none' : 'dash.interruptions.noneInFilter')}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.interruptions'), current: '/interruptions', body }));
    },
  );

  app.post<{ Body: Static<typeof ExplainBody> }>(
    '/interruptions/explain',
    {
      schema: { body: ExplainBody, response: formResponses },
      config: { permission: 'explainInterruption' },
    },
    async (request, reply) => {
      const item = itemFor(request, request.body.id);
      explainInterruption(
        db,
        { id: item.id, explanation: request.body.explanation, by: request.user!.name },
        clock.now(),
      );
      return reply.redirect('/interruptions', 303);
    },
  );

  app.post<{ Body: Static<typeof AcceptBody> }>(
    '/interruptions/accept',
    {
      schema: { body: AcceptBody, response: formResponses },
      config: { permission: 'acceptInterruption' },
    },
    async (request, reply) => {
      const item = itemFor(request, request.body.id);
      if (item.state !== 'explained' && item.state !== 'accepted')
        throw new HttpError(409, request.t('dash.interruptions.cannotAccept'));
      acceptInterruption(db, { id: item.id, by: request.user!.name }, clock.now());
      return reply.redirect('/interruptions', 303);
    },
  );

  app.post<{ Body: Static<typeof ReturnBody> }>(
    '/interruptions/return',
    {
      schema: { body: ReturnBody, response: formResponses },
      config: { permission: 'acceptInterruption' },
    },
    async (request, reply) => {
      const item = itemFor(request, request.body.id);
      if (item.state === 'open') throw new HttpError(409, request.t('dash.interruptions.cannotReturn'));
      if (!request.body.reason.trim())
        throw new HttpError(400, request.t('dash.interruptions.returnNeedsReason'));
      returnInterruption(
        db,
        { id: item.id, by: request.user!.name, reason: request.body.reason },
        clock.now(),
      );
      return reply.redirect(`/interruptions?state=all#interruption-${item.id}`, 303);
    },
  );
};
