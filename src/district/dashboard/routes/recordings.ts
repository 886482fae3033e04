import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { accessPurposes } from '../../../custody/access-requests.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import { recordRefusedAttempt } from '../../../custody/refused-attempts.ts';
import { html } from '../../../dashboard/html.ts';
import { mediaType, parseRange } from '../../../dashboard/media-range.ts';
import { HttpError } from '../../../dashboard/plugins/authentication.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../../../dashboard/routes/schemas.ts';
import { csrfField, page } from '../../../dashboard/views/layout.ts';
import { formatBytes, formatDateTime, formatDuration } from '../../../i18n/format.ts';
import {
  activeDistrictGrant,
  isDistrictPurpose,
  requestDistrictAccess,
  requestsFor,
} from '../../district-grants.ts';
import type { DistrictRecording } from '../../district-ledger.ts';

const RecordingParams = Type.Object({
  station: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
  id: Type.Integer({ minimum: 1 }),
});
type RecordingParams = Static<typeof RecordingParams>;
const AccessBody = Type.Composite([
  CsrfBody,
  Type.Object({
    purpose: Type.Union(Object.keys(accessPurposes).map((code) => Type.Literal(code))),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  }),
]);
type AccessBody = Static<typeof AccessBody>;

/** One district recording: its ledger fields and lock, and its footage from the bucket under a grant. */
export const recordingRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  const findRow = async (
    request: FastifyRequest<{ Params: RecordingParams }>,
  ): Promise<DistrictRecording> => {
    const row = await app.district.ledger.recording(request.params.station, request.params.id);
    if (!row) throw new HttpError(404, request.t('dash.error.notFound'));
    return row;
  };
  const subject = (row: DistrictRecording) => `${row.stationId}#${row.recordingId}`;

  app.get<{ Params: RecordingParams; Querystring: Static<typeof LanguageQuery> }>(
    '/recordings/:station/:id',
    {
      schema: { params: RecordingParams, querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'districtOverview' },
    },
    async (request, reply) => {
      const { t } = request;
      const row = await findRow(request);
      const user = request.user!;
      const grant = activeDistrictGrant(db, user, row.stationId, row.recordingId, clock.now());
      const pending = requestsFor(db, user, row.stationId, row.recordingId).find(
        (item) => item.state === 'pending',
      );
      const fields: [string, string][] = [
        [t('district.station'), row.stationId],
        [t('ledger.officerName'), row.officerName ?? t('common.unassigned')],
        [t('ledger.badge'), row.badge ?? t('common.unassigned')],
        [t('ledger.date'), row.date ?? '-'],
        [t('ledger.start'), row.start ? formatDateTime(row.start, zone) : '-'],
        [t('ledger.duration'), formatDuration(row.durationSeconds)],
        [t('ledger.sha256'), row.sha256],
        [t('district.view.recording.objectKey'), row.objectKey],
        [t('district.retainUntil'), formatDateTime(row.retainUntil, zone)],
        [t('district.legalHold'), row.legalHold ? t('common.yes') : t('common.no')],
        [t('district.view.recording.verifiedAt'), formatDateTime(row.verifiedAt, zone)],
      ];
      fields.splice(6, 0, [t('ledger.device'), row.deviceSerial ?? '-'], ['', formatBytes(row.sizeBytes)]);
      const facts = html`<table id="recording-fields">${fields.map(([name, value]) => html`<tr><th>${name}</th><td>${value}</td></tr>`)}</table>`;
      const src = `/recordings/${row.stationId}/${row.recordingId}/media`;
      const footage = row.deletedAt
        ? html`<p class="muted" id="deleted">${t('district.view.recording.deleted')} ${formatDateTime(row.deletedAt, zone)}</p>`
        : grant
          ? html`<div class="card"><h2>${t('district.view.recording.play')}</h2>
<p class="good" id="grant">${t('district.view.recording.grantUntil', { until: formatDateTime(grant.validUntil, zone) })}</p>
<video id="player" controls preload="metadata" src="${src}" style="max-width:100%"></video></div>`
          : pending
            ? html`<p class="message" id="request-pending">${t('district.view.recording.pending')}</p>`
            : html`<form method="post" action="/recordings/${row.stationId}/${row.recordingId}/requests" class="card" id="request-access">
<p class="muted">${t('district.view.recording.needGrant')}</p>${csrfField(request)}
<label>${t('district.view.recording.purpose')} <select name="purpose">${Object.entries(accessPurposes).map(([code, label]) => html`<option value="${code}">${label}</option>`)}</select></label>
<label>${t('district.view.recording.reason')} <input name="reason" maxlength="500"></label>
<button type="submit">${t('district.view.recording.ask')}</button></form>`;
      return reply.type('text/html; charset=utf-8').send(
        page(request, {
          title: t('district.view.recording.title', { station: row.stationId, id: row.recordingId }),
          current: '/ledger',
          body: html`${facts}${footage}`,
        }),
      );
    },
  );

  app.post<{ Params: RecordingParams; Body: AccessBody }>(
    '/recordings/:station/:id/requests',
    {
      schema: { params: RecordingParams, body: AccessBody, response: formResponses },
      config: { permission: 'districtFootage' },
    },
    async (request, reply) => {
      const row = await findRow(request);
      const purpose = request.body.purpose;
      if (!isDistrictPurpose(purpose)) throw new HttpError(400, request.t('dash.error.notFound'));
      requestDistrictAccess(
        db,
        {
          user: request.user!,
          stationId: row.stationId,
          recordingId: row.recordingId,
          purpose,
          reason: request.body.reason?.trim() || null,
        },
        clock.now(),
      );
      return reply.redirect(`/recordings/${row.stationId}/${row.recordingId}`, 303);
    },
  );

  // Footage comes from the bucket, the locked version the station verified, and only under a grant
  // a leader approved: the role opens the route, the grant opens the recording.
  app.get<{ Params: RecordingParams }>(
    '/recordings/:station/:id/media',
    {
      schema: { params: RecordingParams },
      config: { permission: 'districtFootage' },
    },
    async (request, reply) => {
      const row = await findRow(request);
      const user = request.user!;
      const now = clock.now();
      const grant = activeDistrictGrant(db, user, row.stationId, row.recordingId, now);
      if (!grant || row.deletedAt) {
        recordRefusedAttempt(
          db,
          {
            actor: user.name,
            source: request.ip,
            subject: `district recording ${subject(row)} view`,
            subjectType: 'district-recording',
            subjectId: subject(row),
            reason: 'no-view-grant',
            detail: 'no approved district access request',
          },
          now,
        );
        throw new HttpError(403, request.t('dash.error.noGrant'));
      }
      const range = parseRange(request.headers.range, row.sizeBytes);
      if (range === null) {
        return reply.code(416).header('content-range', `bytes */${row.sizeBytes}`).send();
      }
      const object = await app.district.s3.send(
        new GetObjectCommand({
          Bucket: app.district.bucket,
          Key: row.objectKey,
          VersionId: row.versionId ?? undefined,
          Range: range === 'all' ? undefined : `bytes=${range.start}-${range.end}`,
        }),
      );
      appendAudit(
        db,
        {
          actor: user.name,
          action: 'view',
          subjectType: 'district-recording',
          subjectId: subject(row),
          detail: {
            via: 'district-player',
            grant: grant.id,
            range: range === 'all' ? [0, row.sizeBytes - 1] : [range.start, range.end],
          },
        },
        now,
      );
      reply
        .type(mediaType(row.objectKey))
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'no-store');
      if (range !== 'all') {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${row.sizeBytes}`)
          .header('content-length', range.end - range.start + 1);
      } else reply.header('content-length', row.sizeBytes);
      return reply.send(object.Body as Readable);
    },
  );
};
