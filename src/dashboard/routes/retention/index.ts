import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ComplianceError, RetentionRefused } from '../../../compliance/compliance-error.ts';
import {
  approveDeletion,
  cancelDeletion,
  type DeletionProposal,
  listProposals,
  openProposal,
  proposeDeletion,
  rejectDeletion,
} from '../../../compliance/deletion.ts';
import { deletionContext } from '../../../compliance/jobs.ts';
import {
  isDue,
  type RetentionStatus,
  retentionOf,
  retentionReview,
  retentionSettings,
} from '../../../compliance/retention.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { errorText } from '../../../i18n/translated-error.ts';
import { localDateIn } from '../../../time/zone.ts';
import { allows } from '../../access.ts';
import { type Html, html } from '../../html.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

const ReviewQuery = Type.Composite([
  LanguageQuery,
  // "As of" a later date: what would be due by then, for planning the review.
  Type.Object({ asOf: Type.Optional(Type.String({ maxLength: 10 })) }),
]);
const isLocalDate = (value: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

// Art. 24, 29: the review list and the two-person deletion (ops propose, a leader approves, a grace
// period follows). The engine decides; this page shows its decisions and, for every step a person
// cannot take, says why instead of hiding it.

const StepBody = Type.Composite([
  CsrfBody,
  Type.Object({
    recordingId: Type.Integer({ minimum: 1 }),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
  }),
]);
type StepBody = Static<typeof StepBody>;

/** At most this many rows per list on the page; the counts are always complete. */
const shownRows = 500;
const finishedShown = 50;

function reasonLabel(
  request: FastifyRequest,
  status: Pick<RetentionStatus, 'reason' | 'caseNumber'>,
): string {
  const label = request.t(`dash.retention.reason.${status.reason}` as MessageKey);
  return status.caseNumber ? `${label} (${request.t('dash.cases.case')} ${status.caseNumber})` : label;
}

function stepForm(
  request: FastifyRequest,
  step: 'propose' | 'approve' | 'reject' | 'cancel',
  recordingId: number,
  withReason: boolean,
): Html {
  const { t } = request;
  return html`<form class="inline ${step}" method="post" action="/retention/${step}">${csrfField(request)}
<input type="hidden" name="recordingId" value="${recordingId}">
${withReason ? html`<input name="reason" size="16" placeholder="${t('dash.retention.proposalReason')}">` : ''}
<button type="submit">${t(`dash.retention.${step}` as MessageKey)}</button></form>`;
}

function dueAction(request: FastifyRequest, status: RetentionStatus): Html | string {
  const { t, user } = request;
  if (status.deletion) return t(`dash.retention.state.${status.deletion}` as MessageKey);
  if (allows('proposeDeletion', user!.role)) return stepForm(request, 'propose', status.id, true);
  return html`<span class="muted">${t('dash.retention.why.proposeByOps')}</span>`;
}

function proposalActions(request: FastifyRequest, proposal: DeletionProposal): Html[] {
  const { t, user } = request;
  const role = user!.role;
  const actions: Html[] = [];
  if (proposal.state === 'proposed') {
    if (!allows('decideDeletion', role))
      actions.push(html`<span class="muted">${t('dash.retention.why.awaitLeader')}</span>`);
    else if (proposal.proposedBy === user!.name)
      actions.push(html`<span class="muted own-proposal">${t('dash.retention.why.ownProposal')}</span>`);
    else
      actions.push(
        stepForm(request, 'approve', proposal.recordingId, false),
        stepForm(request, 'reject', proposal.recordingId, true),
      );
  }
  if (allows('cancelDeletion', role)) actions.push(stepForm(request, 'cancel', proposal.recordingId, true));
  return actions;
}

function statusRows(
  request: FastifyRequest,
  rows: RetentionStatus[],
  action: (status: RetentionStatus) => Html | string,
) {
  const { t } = request;
  return html`<thead><tr><th>${t('ledger.id')}</th><th>${t('ledger.badge')}</th><th>${t('dash.retention.recordedOn')}</th>
<th>${t('dash.retention.end')}</th><th>${t('dash.retention.why')}</th><th></th></tr></thead>
<tbody>${rows.slice(0, shownRows).map(
    (
      status,
    ) => html`<tr data-recording="${status.id}"><td><a href="/recordings/${status.id}">#${status.id}</a></td>
<td>${status.badge ?? ''}</td><td>${status.recordedOn}</td><td>${status.retentionEnd ?? t('dash.retention.indefinitely')}</td>
<td>${reasonLabel(request, status)}</td><td>${action(status)}</td></tr>`,
  )}</tbody>`;
}

function proposalTable(
  request: FastifyRequest,
  id: string,
  proposals: DeletionProposal[],
  zone: string,
  withActions: boolean,
): Html {
  const { t } = request;
  return html`<table id="${id}"><thead><tr><th>${t('ledger.id')}</th><th>${t('dash.retention.state')}</th><th>${t('dash.retention.proposedBy')}</th>
<th>${t('dash.retention.proposalReason')}</th><th>${t('dash.retention.decidedBy')}</th><th>${t('dash.retention.graceUntil')}</th>${withActions ? html`<th></th>` : ''}</tr></thead>
<tbody>${proposals.map(
    (
      proposal,
    ) => html`<tr data-recording="${proposal.recordingId}" data-state="${proposal.state}"><td><a href="/recordings/${proposal.recordingId}">#${proposal.recordingId}</a></td>
<td>${t(`dash.retention.state.${proposal.state}` as MessageKey)}</td><td>${proposal.proposedBy} ${formatDateTime(proposal.proposedAt, zone)}</td>
<td>${proposal.reason ?? ''}</td><td>${proposal.decidedBy ?? proposal.cancelledBy ?? ''} ${formatDateTime(proposal.decidedAt ?? proposal.cancelledAt, zone)}</td>
<td>${formatDateTime(proposal.graceUntil, zone)}</td>${withActions ? html`<td>${proposalActions(request, proposal)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

export const retentionRoutes: FastifyPluginAsync = async (app) => {
  const { station } = app;
  const { db, clock, config } = station;
  const zone = config.station.timezone;
  const settings = retentionSettings(config);

  /** Which retention rule keeps the recording, in the reader's language; null when none does. */
  function keptBecause(request: FastifyRequest, recordingId: number): string | null {
    const { t } = request;
    const status = retentionOf(db, settings, recordingId);
    if (!status) return t('dash.retention.why.notArchived');
    const reason = reasonLabel(request, status);
    if (status.retentionEnd === null) return t('dash.retention.why.held', { reason });
    if (!isDue(status, localDateIn(clock.now(), zone)))
      return t('dash.retention.why.notDue', { end: status.retentionEnd, reason });
    return null;
  }

  function refusal(request: FastifyRequest, recordingId: number, error: Error): HttpError {
    const why =
      (error instanceof RetentionRefused && keptBecause(request, recordingId)) || errorText(request.t, error);
    return new HttpError(409, request.t('dash.retention.refused', { id: recordingId, why }));
  }

  /**
   * Runs one engine step. `guard` names what the page can already tell is wrong with the step (so the
   * refusal reads in the user's language); everything else the engine refuses is explained after.
   */
  function step(
    request: FastifyRequest<{ Body: StepBody }>,
    guard: (proposal: DeletionProposal | null, by: string) => MessageKey | null,
    run: (by: string, body: StepBody) => void,
  ): void {
    const { t } = request;
    const { recordingId } = request.body;
    const by = request.user!.name;
    const problem = guard(openProposal(db, recordingId), by);
    if (problem) throw new HttpError(409, t('dash.retention.refused', { id: recordingId, why: t(problem) }));
    try {
      run(by, request.body);
    } catch (error) {
      if (error instanceof RetentionRefused || error instanceof ComplianceError)
        throw refusal(request, recordingId, error);
      throw error;
    }
  }

  const waiting = (proposal: DeletionProposal | null): MessageKey | null =>
    proposal?.state === 'proposed' ? null : 'dash.retention.why.nothingWaiting';

  app.get<{ Querystring: Static<typeof ReviewQuery> }>(
    '/retention',
    {
      schema: { querystring: ReviewQuery, response: { 200: HtmlPage } },
      config: { permission: 'retention' },
    },
    async (request, reply) => {
      const { t } = request;
      const today = localDateIn(clock.now(), zone);
      const review = retentionReview(db, settings, today);
      const asOf = request.query.asOf || null;
      if (asOf && !isLocalDate(asOf)) throw new HttpError(400, t('dash.retention.badAsOf', { date: asOf }));
      const proposals = listProposals(db);
      const inProgress = proposals.filter(
        (proposal) => proposal.state === 'proposed' || proposal.state === 'approved',
      );
      const finished = proposals
        .filter((proposal) => !inProgress.includes(proposal))
        .reverse()
        .slice(0, finishedShown);
      const section = (
        id: string,
        title: MessageKey,
        rows: RetentionStatus[],
        action: (status: RetentionStatus) => Html | string,
      ) =>
        html`<h2>${t(title)} (<span id="${id}-count">${rows.length}</span>)</h2>
${rows.length ? html`<table id="${id}">${statusRows(request, rows, action)}</table>` : html`<p class="muted">${t('dash.retention.empty')}</p>`}`;
      // What would have to be reviewed by a later date: due then, not due today.
      const dueToday = new Set(review.due.map((status) => status.id));
      const preview =
        asOf && asOf > today
          ? retentionReview(db, settings, asOf).due.filter((status) => !dueToday.has(status.id))
          : null;
      const previewForm = html`<form method="get" action="/retention" class="filters" id="as-of">
<label>${t('dash.retention.asOf')}<input type="date" name="asOf" value="${asOf ?? ''}" min="${today}"></label>
<button type="submit">${t('dash.retention.preview')}</button></form>
${
  preview
    ? html`<h2>${t('dash.retention.previewTitle', { date: asOf! })} (<span id="preview-count">${preview.length}</span>)</h2>
${preview.length ? html`<table id="preview">${statusRows(request, preview, () => '')}</table>` : html`<p class="muted" id="preview-none">${t('dash.retention.empty')}</p>`}`
    : ''
}`;
      const body = html`<p class="muted">${t('dash.retention.intro', { months: settings.months, days: config.retention.graceDays })}</p>
${previewForm}
<h2>${t('dash.retention.proposals')}</h2>
${inProgress.length ? proposalTable(request, 'proposals', inProgress, zone, true) : html`<p class="muted">${t('dash.retention.empty')}</p>`}
${section('due', 'dash.retention.due', review.due, (status) => dueAction(request, status))}
${section('expiring', 'dash.retention.expiring', review.expiring, (status) => html`<span class="muted">${t('dash.retention.why.notDue', { end: status.retentionEnd!, reason: reasonLabel(request, status) })}</span>`)}
${section('held', 'dash.retention.held', review.held, () => html`<span class="muted">${t('dash.retention.why.heldShort')}</span>`)}
${finished.length ? html`<h2>${t('dash.retention.history')}</h2>${proposalTable(request, 'finished', finished, zone, false)}` : ''}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.retention'), current: '/retention', body }));
    },
  );

  const done = (reply: FastifyReply) => reply.redirect('/retention', 303);
  const context = () => deletionContext(station);

  app.post<{ Body: StepBody }>(
    '/retention/propose',
    { schema: { body: StepBody, response: formResponses }, config: { permission: 'proposeDeletion' } },
    async (request, reply) => {
      step(
        request,
        (proposal) => (proposal ? 'dash.retention.why.alreadyProposed' : null),
        (by, body) =>
          proposeDeletion(
            context(),
            { recordingId: body.recordingId, by, reason: body.reason || null },
            clock.now(),
          ),
      );
      return done(reply);
    },
  );

  app.post<{ Body: StepBody }>(
    '/retention/approve',
    { schema: { body: StepBody, response: formResponses }, config: { permission: 'decideDeletion' } },
    async (request, reply) => {
      step(
        request,
        (proposal, by) =>
          waiting(proposal) ?? (proposal!.proposedBy === by ? 'dash.retention.why.ownProposal' : null),
        (by, body) => approveDeletion(context(), { recordingId: body.recordingId, by }, clock.now()),
      );
      return done(reply);
    },
  );

  app.post<{ Body: StepBody }>(
    '/retention/reject',
    { schema: { body: StepBody, response: formResponses }, config: { permission: 'decideDeletion' } },
    async (request, reply) => {
      step(request, waiting, (by, body) =>
        rejectDeletion(
          context(),
          { recordingId: body.recordingId, by, reason: body.reason || null },
          clock.now(),
        ),
      );
      return done(reply);
    },
  );

  app.post<{ Body: StepBody }>(
    '/retention/cancel',
    { schema: { body: StepBody, response: formResponses }, config: { permission: 'cancelDeletion' } },
    async (request, reply) => {
      step(
        request,
        (proposal) => (proposal ? null : 'dash.retention.why.nothingInProgress'),
        (by, body) =>
          cancelDeletion(
            context(),
            { recordingId: body.recordingId, by, reason: body.reason || null },
            clock.now(),
          ),
      );
      return done(reply);
    },
  );
};
