import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { User } from '../../../auth/users.ts';
import { authorize, canView } from '../../../custody/access-policy.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import { FootageReader } from '../../../district/footage-reader.ts';
import { allows } from '../../access.ts';
import { canSee, findLedgerRow, type LedgerRow } from '../../data/ledger-query.ts';
import { assignOfficer, confirmRecording, markNotPlaying } from '../../data/review.ts';
import { mediaType, parseRange } from '../../media-range.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { page } from '../../views/layout.ts';
import { recordingDetail } from '../../views/recording-detail.ts';
import { CsrfBody, formResponses, HtmlPage, IdParams } from '../schemas.ts';

const NotPlayingBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  note: Type.String({ maxLength: 2000 }),
});
const AssignBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  badge: Type.String({ minLength: 1, maxLength: 50 }),
});
const BackQuery = Type.Object({ back: Type.Optional(Type.String()), lang: Type.Optional(Type.String()) });

export const recordingRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config, archive } = app.station;
  const zone = config.station.timezone;
  const footageReader = new FootageReader({ db, archive, config });
  app.addHook('onClose', async () => footageReader.close());

  /** The recording if this user may see it; an officer asking for another's gets "not found". */
  const visibleRecording = (request: FastifyRequest, id: number): LedgerRow => {
    const row = findLedgerRow(db, id);
    if (!row || !canSee(request.user!, row)) throw new HttpError(404, request.t('dash.error.notFound'));
    return row;
  };

  const logView = (user: User, id: number, via: string) =>
    appendAudit(
      db,
      { actor: user.name, action: 'view', subjectType: 'recording', subjectId: id, detail: { via } },
      clock.now(),
    );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/recordings/:id',
    { schema: { params: IdParams, response: { 200: HtmlPage } }, config: { permission: 'ledger' } },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id);
      const playable =
        allows('viewFootage', request.user!.role) && canView(db, request.user!, row.id, clock.now()).allowed;
      logView(request.user!, row.id, playable ? 'detail-with-player' : 'detail');
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
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id);
      // The role opens the route; art. 27 decides per recording (own footage, duty, or an approved grant).
      const decision = authorize(db, request.user!, row.id, 'view', clock.now());
      if (!decision.allowed) throw new HttpError(403, request.t('dash.error.noGrant'));
      const original = row.duplicateOf ? findLedgerRow(db, row.duplicateOf) : row;
      if (!original?.archivePath) throw new HttpError(404, request.t('dash.error.notFound'));
      // Local archive, or the district bucket once the local copy was evicted.
      const footage = await footageReader.open({ id: original.id, archivePath: original.archivePath });
      const { size } = footage;
      const range = parseRange(request.headers.range, size);
      // A player asks for many ranges of one file; the view is logged when playing starts.
      if (range === 'all' || range?.start === 0) logView(request.user!, row.id, 'player');
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

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CsrfBody> }>(
    '/recordings/:id/confirm',
    {
      schema: { params: IdParams, body: CsrfBody, response: formResponses },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id);
      confirmRecording(db, row.id, request.user!, clock.now());
      return reply.redirect(`/recordings/${row.id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NotPlayingBody> }>(
    '/recordings/:id/not-playing',
    {
      schema: { params: IdParams, body: NotPlayingBody, response: formResponses },
      config: { permission: 'confirm' },
    },
    async (request, reply) => {
      const row = visibleRecording(request, request.params.id);
      markNotPlaying(db, row.id, request.user!, request.body.note.trim(), clock.now());
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
      const row = visibleRecording(request, request.params.id);
      assignOfficer(db, row.id, request.body.badge, request.user!, clock.now());
      const back = request.query.back;
      return reply.redirect(
        back?.startsWith('/') && !back.startsWith('//') ? back : `/recordings/${row.id}`,
        303,
      );
    },
  );
};
