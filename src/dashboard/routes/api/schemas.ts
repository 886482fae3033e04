import { Type } from '@sinclair/typebox';
import { roles } from '../../../auth/roles.ts';
import { alertKinds, severities } from '../../../compliance/alerts.ts';

// Response shapes of the JSON API: what other systems on the station may rely on.
// Type arrays rather than anyOf: the serializer then needs no validation pass per field.
const NullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });
const NullableNumber = Type.Unsafe<number | null>({ type: ['number', 'null'] });
const NullableInteger = Type.Unsafe<number | null>({ type: ['integer', 'null'] });

/** Mirrors src/ledger/public-recording.ts, the shape the CLI's --json prints too. */
export const PublicRecordingSchema = Type.Object({
  id: Type.Integer(),
  sourcePath: Type.String(),
  archivePath: NullableString,
  sha256: Type.String(),
  sizeBytes: Type.Integer(),
  kind: Type.String(),
  start: NullableString,
  end: NullableString,
  durationSeconds: NullableNumber,
  startSource: NullableString,
  date: NullableString,
  badge: NullableString,
  officerName: NullableString,
  playback: Type.String(),
  playbackCheck: Type.String(),
  late: Type.Boolean(),
  duplicateOf: NullableInteger,
  device: NullableString,
  timeFlags: Type.Array(Type.String()),
  confirmedAt: NullableString,
  confirmedBy: NullableString,
  notPlayingAt: NullableString,
  notPlayingBy: NullableString,
  notPlayingNote: NullableString,
});

export const LedgerPageSchema = Type.Object({
  page: Type.Integer(),
  pageSize: Type.Integer(),
  hasMore: Type.Boolean(),
  recordings: Type.Array(PublicRecordingSchema),
});

export const DockSchema = Type.Object({
  id: Type.Integer(),
  origin: Type.String(),
  sourcePath: Type.String(),
  volumeLabel: NullableString,
  deviceSerial: NullableString,
  driver: NullableString,
  state: Type.String(),
  /** Why it ended without archiving everything: a code, and the same in the reader's language. */
  reason: NullableString,
  reasonText: NullableString,
  detail: NullableString,
  filesTotal: Type.Integer(),
  filesDone: Type.Integer(),
  bytesTotal: Type.Integer(),
  bytesDone: Type.Integer(),
  clockOffsetSeconds: NullableNumber,
  freeBytes: NullableInteger,
  batteryPercent: NullableNumber,
  totalBytes: NullableInteger,
  startedAt: Type.String(),
  updatedAt: Type.String(),
  endedAt: NullableString,
  safeToUndock: Type.Boolean(),
});

export const DockFileSchema = Type.Object({
  sourcePath: Type.String(),
  sizeBytes: Type.Integer(),
  state: Type.String(),
  bytesDone: Type.Integer(),
  recordingId: NullableInteger,
  reason: NullableString,
  /** The reason as a code with values (ingest/file-notes.ts), and in the asker's language. */
  note: Type.Union([
    Type.Object({
      code: Type.String(),
      values: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    }),
    Type.Null(),
  ]),
  noteText: NullableString,
});

export const DeviceSchema = Type.Object({
  serial: Type.String(),
  driver: NullableString,
  model: NullableString,
  firstSeenAt: Type.String(),
  lastSeenAt: NullableString,
  clockOffsetSeconds: NullableNumber,
  freeBytes: NullableInteger,
  totalBytes: NullableInteger,
  batteryPercent: NullableNumber,
  holderBadge: NullableString,
  holderName: NullableString,
  holderSource: NullableString,
  lastDockId: NullableInteger,
  lastDockAt: NullableString,
  openFaults: Type.Integer(),
});

/** Someone's act on an alert: who, when, why, and to whom it was assigned. */
const AlertActSchema = Type.Object({
  by: Type.String(),
  at: Type.String(),
  reason: Type.String(),
  assignee: NullableString,
});

/** An alert of src/compliance/alerts.ts, with its words (`message`) in the asker's language. */
export const AlertSchema = Type.Object({
  kind: Type.Union(alertKinds.map((kind) => Type.Literal(kind))),
  severity: Type.Union(severities.map((severity) => Type.Literal(severity))),
  subject: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  message: Type.String(),
  actBy: Type.Array(Type.Union(roles.map((role) => Type.Literal(role)))),
  since: NullableString,
  link: NullableString,
  /** Open until someone acknowledges it (src/compliance/alert-actions.ts). */
  state: Type.Union([Type.Literal('open'), Type.Literal('acknowledged')]),
  acknowledged: Type.Union([AlertActSchema, Type.Null()]),
  assigned: Type.Union([AlertActSchema, Type.Null()]),
});
