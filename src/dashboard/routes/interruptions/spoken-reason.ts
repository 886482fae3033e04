import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { findInterruptionItem } from '../../../compliance/interruptions.ts';
import { spokenReasonDetail } from '../../../compliance/spoken-reason.ts';
import { authorize } from '../../../custody/access-policy.ts';
import { recordServedBytes } from '../../../custody/served-bytes.ts';
import { parseRange } from '../../media-range.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { sessionDigest } from '../../session-digest.ts';
import { IdParams } from '../schemas.ts';
import { mayHandle } from './index.ts';

// Art. 18: the clip of what the officer said on resuming, played on the 中断说明 page. Whoever may
// see the interruption may ask; the clip is the officer's recorded voice, so art. 27 decides as for
// the resumed segment itself, and every playing is on the record.

const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' });

export const spokenReasonRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, archive, config } = app.station;

  app.get<{ Params: Static<typeof IdParams> }>(
    '/interruptions/:id/spoken-reason',
    {
      schema: { params: IdParams, response: { 200: Binary, 206: Binary } },
      config: { permission: 'interruptions' },
    },
    async (request, reply) => {
      const user = request.user!;
      const item = findInterruptionItem(db, request.params.id);
      if (!item || !mayHandle(user, item)) throw new HttpError(404, request.t('dash.error.notFound'));
      const heard = spokenReasonDetail(db, item.id);
      if (heard.state !== 'detected' || !heard.clipPath)
        throw new HttpError(404, request.t('dash.error.notFound'));
      const decision = authorize(db, user, item.afterRecordingId, 'view', clock.now(), {
        officerViewsOwn: config.access.officerViewsOwn,
        source: request.ip,
      });
      if (!decision.allowed) throw new HttpError(403, request.t('dash.error.noGrant'));
      const file = path.join(archive.root, heard.clipPath);
      const { size } = await stat(file);
      const range = parseRange(request.headers.range, size);
      // Every range of the clip served is on the record, as for the footage itself; a HEAD serves none.
      if (range !== null && request.method !== 'HEAD') {
        recordServedBytes(
          db,
          {
            action: 'view',
            actor: user.name,
            session: sessionDigest(request),
            subjectType: 'recording',
            subjectId: item.afterRecordingId,
            file: heard.clipPath,
            size,
            range: range === 'all' ? [0, size - 1] : [range.start, range.end],
            via: 'spoken-reason-clip',
            grant: decision.requestId,
          },
          clock.now(),
        );
      }
      reply.header('accept-ranges', 'bytes').type('audio/wav').header('cache-control', 'private, no-store');
      if (range === null) return reply.code(416).header('content-range', `bytes */${size}`).send();
      if (range === 'all') return reply.header('content-length', size).send(createReadStream(file));
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(createReadStream(file, { start: range.start, end: range.end }));
    },
  );
};
