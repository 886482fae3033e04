import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { User } from '../../../auth/users.ts';
import {
  acceptInterruption,
  explainInterruption,
  findInterruptionItem,
  type InterruptionItem,
  openInterruptions,
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

// Ids travel in the form body like every other field of these forms.
const ItemId = Type.Integer({ minimum: 1 });
const AcceptBody = Type.Composite([CsrfBody, Type.Object({ id: ItemId })]);
const ExplainBody = Type.Composite([
  CsrfBody,
  Type.Object({
    id: ItemId,
    explanation: Type.String({ minLength: 1, maxLength: 2000 }),
  }),
]);

/** Whether the user may see (and, as an officer, explain) this gap: officers only their own badge's. */
export function mayHandle(user: User, item: InterruptionItem): boolean {
  return user.role !== 'officer' || (user.badge !== null && item.badge === user.badge);
}

const itemField = (item: InterruptionItem) => html`<input type="hidden" name="id" value="${item.id}">`;

function actions(request: FastifyRequest, item: InterruptionItem): Html | string {
  const { t, user } = request;
  const role = user!.role;
  if (allows('explainInterruption', role)) {
    return html`<form method="post" action="/interruptions/explain" class="explain">${csrfField(request)}${itemField(item)}
<textarea name="explanation" rows="2" cols="30" required maxlength="2000">${item.explanation ?? ''}</textarea>
<button type="submit">${t(item.explanation ? 'dash.interruptions.reexplain' : 'dash.interruptions.explain')}</button></form>`;
  }
  if (allows('acceptInterruption', role)) {
    if (!item.explainedAt) return html`<span class="muted">${t('dash.interruptions.awaitOfficer')}</span>`;
    return html`<form method="post" action="/interruptions/accept" class="inline accept">${csrfField(request)}${itemField(item)}
<button type="submit">${t('dash.interruptions.accept')}</button></form>`;
  }
  return '';
}

function itemRow(request: FastifyRequest, item: InterruptionItem, zone: string): Html {
  const { t } = request;
  const loud = item.activityKinds.length > 0;
  return html`<tr data-interruption="${item.id}" class="${loud ? 'loud' : ''}"><td>#${item.id}</td><td>${item.deviceSerial ?? ''}</td><td>${item.badge ?? ''}</td>
<td>${formatDateTime(item.gapStart, zone)} – ${formatDateTime(item.gapEnd, zone)}</td><td>${formatDuration(item.gapSeconds)}</td>
<td><a href="/recordings/${item.beforeRecordingId}">#${item.beforeRecordingId}</a> → <a href="/recordings/${item.afterRecordingId}">#${item.afterRecordingId}</a></td>
<td class="${loud ? 'bad' : ''}">${item.activityKinds.map((kind) => t(`dash.activity.${kind}` as MessageKey)).join('、')}</td>
<td class="explanation">${item.explanation ? html`${item.explanation}<br><span class="muted">${item.explainedBy} ${formatDateTime(item.explainedAt, zone)}</span>` : html`<span class="bad">${t('dash.interruptions.unexplained')}</span>`}</td>
${spokenReasonCell(request, item)}
<td>${actions(request, item)}</td></tr>`;
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

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/interruptions',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'interruptions' },
    },
    async (request, reply) => {
      const { t } = request;
      const items = openInterruptions(db).filter((item) => mayHandle(request.user!, item));
      const body = items.length
        ? html`<p class="muted">${t('dash.interruptions.intro')}</p>
<table id="interruptions"><thead><tr><th>${t('ledger.id')}</th><th>${t('ledger.device')}</th><th>${t('ledger.badge')}</th>
<th>${t('dash.interruptions.gap')}</th><th>${t('dash.interruptions.length')}</th><th>${t('dash.interruptions.between')}</th>
<th>${t('dash.interruptions.activity')}</th><th>${t('dash.interruptions.explanation')}</th><th>${t('dash.interruptions.spokenReason')}</th><th></th></tr></thead>
<tbody>${items.map((item) => itemRow(request, item, zone))}</tbody></table>`
        : html`<p class="good" id="interruptions-none">${t('dash.interruptions.none')}</p>`;
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
      if (!item.explainedAt) throw new HttpError(409, request.t('dash.interruptions.cannotAccept'));
      acceptInterruption(db, { id: item.id, by: request.user!.name }, clock.now());
      return reply.redirect('/interruptions', 303);
    },
  );
};
