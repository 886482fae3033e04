import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../../auth/users.ts';
import { authorize, canView } from '../../../custody/access-policy.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import { closeDueWindows } from '../../../custody/audit-windows.ts';
import {
  CorrectionError,
  currentDecision,
  decisions,
  withdrawDecision,
} from '../../../custody/corrections.ts';
import { ReassignmentRefused, requestReassignment } from '../../../custody/reassignment.ts';
import { recordRefusedAttempt } from '../../../custody/refused-attempts.ts';
import { recordServedBytes } from '../../../custody/served-bytes.ts';
import { FootageReader } from '../../../district/footage-reader.ts';
import { allows } from '../../access.ts';
import { canSee, findLedgerRow, type LedgerRow } from '../../data/ledger-query.ts';
import { assignOfficer, confirmRecording, DecisionTaken, markNotPlaying } from '../../data/review.ts';
import { mediaType, parseRange } from '../../media-range.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { sameSiteTarget } from '../../safe-redirect.ts';
import { sessionDigest } from '../../session-digest.ts';
import { page } from '../../views/layout.ts';
import { type ReviewErrors, recordingDetail } from '../../views/recording-detail.ts';
import { CsrfBody, formResponses, HtmlPage, IdParams, LanguageQuery } from '../schemas.ts';

const ConfirmBody = Type.Composite([
  CsrfBody,
  Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }),
]);
const WithdrawBody = Type.Composite([
  CsrfBody,
  Type.Object({
    decision: Type.Union(decisions.map((decision) => Type.Literal(decision))),
    reason: Type.String({ maxLength: 2000 }),
  }),
]);
const NotPlayingBody = Type.Composite([
  CsrfBody,
  Type.Object({
    note: Type.String({ maxLength: 2000 }),
  }),
]);
const AssignBody = Type.Composite([
  CsrfBody,
  Type.Object({
    badge: Type.String({ minLength: 1, maxLength: 50 }),
  }),
]);
const BackQuery = Type.Composite([LanguageQuery, Type.Object({ back: Type.Optional(Type.String()) })]);
const ReassignBody = Type.Composite([
  CsrfBody,
  Type.Object({
    badge: Type.String({ minLength: 1, maxLength: 50 }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  }),
]);

export const recordingRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config, archive } = app.station;
  const zone = config.station.timezone;
  const footageReader = new FootageReader({ db, archive, config });
  app.addHook('onClose', async () => footageReader.close());

  // Coalesced audit windows close on time even when nobody asks for footage, and all at shutdown.
  const windows = setInterval(() => closeDueWindows(db, clock.now()), 60_000);
  windows.unref();
  app.addHook('onClose', async () => {
    clearInterval(windows);
    closeDueWindows(db, clock.now(), undefined, true);
  });

  const refusedAttempt = (request: FastifyRequest, subject: string, reason: string) =>
    recordRefusedAttempt(
      db,
      { actor: request.user?.name ?? null, source: request.ip, subject, reason },
      clock.now(),
    );

  /**
   * The recording if this user may see it: their own, their duty, or an approved grant for it (an
   * officer with a view grant for another officer's recording). Anyone else gets "not found", and the
   * attempt is on the record.
   */
  const visibleRecording = (request: FastifyRequest, id: number, what: string): LedgerRow => {
    const row = findLedgerRow(db, id);
    const granted = row && canView(db, request.user!, row.id, clock.now()).requestId !== null;
    if (!row || !(canSee(request.user!, row) || granted)) {
      refusedAttempt(request, `recording ${id} ${what}`, 'not-found');
      throw new HttpError(404, request.t('dash.error.notFound'));
    }
    return row;
  };

  const logView = (user: User, id: number, via: string) =>
    appendAudit(
      db,
      { actor: user.name, action: 'view', subjectType: 'recording', subjectId: id, detail: { via } },
      clock.now(),
    );

  // Media asked for without a session never reaches the handler (it is sent to the login page);
  // the attempt is recorded here, counted per address so anonymous junk cannot flood the log.
  const recordAnonymous = async (request: FastifyRequest<{ Params: Static<typeof IdParams> }>) => {
    if (!request.user) refusedAttempt(request, `recording ${request.params.id} media`, 'no-session');
  };

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LanguageQuery> }>(
    '/recordings/:id',
    {
      schema: { params: IdParams, querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'ledger' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'detail');
      const playable =
        allows('viewFootage', request.user!.role) && canView(db, request.user!, row.id, clock.now()).allowed;
      // The page is the ledger record; footage is on the record when its bytes are served.
      logView(request.user!, row.id, 'detail');
      const title = request.t('dash.recording.title', { id: row.id });
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title, body: recordingDetail(request, row, zone, playable) }));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/recordings/:id/media',
    {
      schema: {
        params: IdParams,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          206: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
        },
      },
      config: { permission: 'viewFootage' },
      onRequest: recordAnonymous,
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'media');
      // The role opens the route; art. 27 decides per recording (own footage, duty, or an approved grant).
      const decision = authorize(db, request.user!, row.id, 'view', clock.now(), {
        officerViewsOwn: config.access.officerViewsOwn,
        source: request.ip,
      });
      if (!decision.allowed) throw new HttpError(403, request.t('dash.error.noGrant'));
      const original = row.duplicateOf ? findLedgerRow(db, row.duplicateOf) : row;
      if (!original?.archivePath) throw new HttpError(404, request.t('dash.error.notFound'));
      // Local archive, or the district bucket once the local copy was evicted.
      const footage = await footageReader.open({ id: original.id, archivePath: original.archivePath });
      const { size } = footage;
      const range = parseRange(request.headers.range, size);
      // Every range served is on the record (coalesced per session and recording); a HEAD serves none.
      if (range !== null && request.method !== 'HEAD') {
        recordServedBytes(
          db,
          {
            action: 'view',
            actor: request.user!.name,
            session: sessionDigest(request),
            subjectType: 'recording',
            subjectId: row.id,
            file: original.archivePath,
            size,
            range: range === 'all' ? [0, size - 1] : [range.start, range.end],
            via: 'player',
            grant: decision.requestId,
          },
          clock.now(),
        );
      }
      reply
        .header('accept-ranges', 'bytes')
        .type(mediaType(original.archivePath))
        .header('cache-control', 'private, no-store');
      if (range === null) return reply.code(416).header('content-range', `bytes */${size}`).send();
      if (range === 'all') return reply.header('content-length', size).send(await footage.read());
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(await footage.read({ start: range.start, end: range.end }));
    },
  );

  /** The detail page again, with what the clerk typed wrong beside its field. */
  const refusedReview = (
    request: FastifyRequest,
    reply: FastifyReply,
    row: LedgerRow,
    errors: ReviewErrors,
  ) =>
    reply
      .code(400)
      .type('text/html; charset=utf-8')
      .send(
        page(request, {
          title: request.t('dash.recording.title', { id: row.id }),
          body: recordingDetail(request, row, zone, false, errors),
        }),
      );

  // A decision stands until withdrawn with a reason; a second one over it would change the finding silently.
  const decisionTaken = (request: FastifyRequest, row: LedgerRow): never => {
    throw new HttpError(409, request.t('dash.decision.taken', { id: row.id }));
  };

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ConfirmBody> }>(
    '/recordings/:id/confirm',
    {
      schema: { params: IdParams, body: ConfirmBody, response: formResponses },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'confirm');
      const note = request.body.note?.trim();
      try {
        confirmRecording(db, row.id, request.user!, clock.now(), note ? { note } : {});
      } catch (error) {
        if (error instanceof DecisionTaken) decisionTaken(request, row);
        throw error;
      }
      return reply.redirect(`/recordings/${row.id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NotPlayingBody> }>(
    '/recordings/:id/not-playing',
    {
      schema: { params: IdParams, body: NotPlayingBody, response: { ...formResponses, 400: HtmlPage } },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'not-playing');
      if (currentDecision(row)) decisionTaken(request, row);
      // 无法回放 is a finding a court may read: it needs the clerk's words on what was seen.
      if (!request.body.note.trim())
        return refusedReview(request, reply, row, { note: request.t('dash.recording.noteRequired') });
      try {
        markNotPlaying(db, row.id, request.user!, request.body.note.trim(), clock.now());
      } catch (error) {
        if (error instanceof DecisionTaken) decisionTaken(request, row);
        throw error;
      }
      return reply.redirect(`/recordings/${row.id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof WithdrawBody> }>(
    '/recordings/:id/withdraw',
    {
      schema: { params: IdParams, body: WithdrawBody, response: { ...formResponses, 400: HtmlPage } },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'withdraw');
      const reason = request.body.reason.trim();
      if (!reason)
        return refusedReview(request, reply, row, {
          reason: request.t('dash.decision.withdrawReasonRequired'),
        });
      try {
        withdrawDecision(
          db,
          { recordingId: row.id, decision: request.body.decision, by: request.user!.name, reason },
          clock.now(),
        );
      } catch (error) {
        // Someone else changed the decision since this page was drawn.
        if (error instanceof CorrectionError)
          throw new HttpError(409, request.t('dash.decision.changed', { id: row.id }));
        throw error;
      }
      return reply.redirect(`/recordings/${row.id}`, 303);
    },
  );

  app.post<{
    Params: Static<typeof IdParams>;
    Body: Static<typeof AssignBody>;
    Querystring: Static<typeof BackQuery>;
  }>(
    '/recordings/:id/assign',
    {
      schema: { params: IdParams, body: AssignBody, querystring: BackQuery, response: formResponses },
      config: { permission: 'assignOfficer' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'assign');
      try {
        assignOfficer(db, row.id, request.body.badge, request.user!, clock.now());
      } catch (error) {
        if (error instanceof ReassignmentRefused)
          throw new HttpError(409, request.t('dash.reassign.needsApproval', { id: row.id }));
        throw error;
      }
      return reply.redirect(sameSiteTarget(request.query.back, `/recordings/${row.id}`), 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ReassignBody> }>(
    '/recordings/:id/reassign',
    {
      schema: { params: IdParams, body: ReassignBody, response: formResponses },
      config: { permission: 'requestReassignment' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id, 'reassign');
      requestReassignment(
        db,
        { recordingId: row.id, badge: request.body.badge, reason: request.body.reason, by: request.user! },
        clock.now(),
      );
      return reply.redirect(`/recordings/${row.id}`, 303);
    },
  );
};
