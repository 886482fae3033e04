import { type Static, Type } from '@sinclair/typebox';

// One schema for every setting; config/default.json must satisfy it on its own.
const PositiveInt = (description: string) => Type.Integer({ minimum: 1, description });
const NonNegativeInt = (description: string) => Type.Integer({ minimum: 0, description });

export const ConfigSchema = Type.Object(
  {
    station: Type.Object(
      {
        name: Type.String({ minLength: 1 }),
        timezone: Type.String({ minLength: 1, description: 'IANA zone name, e.g. Asia/Shanghai' }),
        language: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
        id: Type.Optional(
          Type.String({
            pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
            description: 'short stable id in the district, e.g. ft-dongtiejiangying; needed with district',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    archive: Type.Object(
      { minFreeBytes: NonNegativeInt('bytes kept free on the archive disk') },
      { additionalProperties: false },
    ),
    ingest: Type.Object(
      {
        lateAfterHours: Type.Number({ minimum: 1, maximum: 24, description: 'art. 23: at most 24' }),
        probeTimeoutSeconds: PositiveInt('ffprobe timeout'),
        decodeTimeoutSeconds: PositiveInt('decode check timeout'),
        playbackConcurrency: PositiveInt('parallel playback checks'),
        sampleSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 60 }),
        copyChunkBytes: Type.Integer({ minimum: 65536, maximum: 67108864 }),
        clockToleranceSeconds: NonNegativeInt('allowed gap between name/metadata and file system times'),
        maxFutureSeconds: NonNegativeInt('how far in the future a recording time may lie'),
      },
      { additionalProperties: false },
    ),
    dock: Type.Object(
      {
        mountRoots: Type.Array(Type.String({ minLength: 1 })),
        watchMountTable: Type.Boolean(),
        autoMount: Type.Boolean(),
        maxParallel: Type.Integer({ minimum: 1, maximum: 64 }),
        setClock: Type.Boolean(),
        deleteAfterVerify: Type.Boolean(),
        gapThresholdSeconds: NonNegativeInt('interruption threshold between segments'),
        activityBreakSeconds: PositiveInt('a longer gap separates two activities and is no interruption'),
        lowStoragePercent: Type.Number({ minimum: 0, maximum: 100 }),
        lowBatteryPercent: Type.Number({ minimum: 0, maximum: 100 }),
        settleSeconds: Type.Number({ minimum: 0, maximum: 60 }),
        simulatedRecorders: Type.Boolean({
          description:
            'load the simulated recorder family (station demo and tests only; it writes to the volume)',
        }),
      },
      { additionalProperties: false },
    ),
    interruptions: Type.Object(
      {
        spokenReasonSeconds: Type.Number({
          exclusiveMinimum: 0,
          maximum: 600,
          description: 'art. 18: seconds at the start of a resumed segment listened to for a spoken reason',
        }),
        spokenReasonMinSpeechSeconds: Type.Number({
          exclusiveMinimum: 0,
          maximum: 60,
          description: 'speech in total within that span that counts as a spoken reason',
        }),
      },
      { additionalProperties: false },
    ),
    access: Type.Object(
      {
        officerViewsOwn: Type.Boolean({ description: 'officers may view recordings under their own badge' }),
      },
      { additionalProperties: false },
    ),
    fixity: Type.Object(
      {
        gigabytesPerNight: Type.Number({
          exclusiveMinimum: 0,
          description: 'archive re-read per nightly run',
        }),
        periodDays: PositiveInt('the whole archive is re-verified at least this often'),
      },
      { additionalProperties: false },
    ),
    audit: Type.Object(
      {
        anchorFolders: Type.Array(Type.String({ minLength: 1 }), {
          description:
            'folders outside the station database (removable media, a mounted share) where the audit chain head is written nightly and checked by verify',
        }),
      },
      { additionalProperties: false },
    ),
    http: Type.Object(
      {
        host: Type.String({ minLength: 1 }),
        port: Type.Integer({ minimum: 0, maximum: 65535 }),
        allowedHosts: Type.Array(Type.String({ minLength: 1 }), {
          description: "host names the dashboard is reached by besides IP addresses and this PC's name",
        }),
        requestTimeoutSeconds: Type.Integer({
          minimum: 1,
          maximum: 300,
          description: 'a request whose headers and body have not arrived by then is closed',
        }),
        tls: Type.Optional(
          Type.Object(
            {
              certFile: Type.String({ minLength: 1, description: 'PEM certificate (chain) file' }),
              keyFile: Type.String({ minLength: 1, description: 'PEM private key file' }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    retention: Type.Object(
      {
        months: Type.Integer({ minimum: 6, maximum: 1200, description: 'art. 24: at least 6 months' }),
        expiringWindowDays: PositiveInt('days before the retention end that a recording shows as expiring'),
        graceDays: PositiveInt('days an approved deletion can still be withdrawn before the file goes'),
      },
      { additionalProperties: false },
    ),
    alerts: Type.Object(
      {
        storageWarningDays: PositiveInt('alert when the archive disk is forecast full within this many days'),
        storageRateDays: PositiveInt('days of recent ingest the storage forecast averages over'),
        unexplainedInterruptionHours: PositiveInt('art. 18: alert on a gap unexplained this long'),
        jobFailureAlertAfter: PositiveInt('alert after this many failed runs of a scheduled job in a row'),
      },
      { additionalProperties: false },
    ),
    // Absent: the station keeps only its own SQLite ledger and archive folder, as it always did.
    district: Type.Optional(
      Type.Object(
        {
          s3: Type.Object(
            {
              endpoint: Type.String({ minLength: 1, description: 'S3 endpoint URL with Object Lock' }),
              region: Type.String({ minLength: 1 }),
              bucket: Type.String({ minLength: 3 }),
              accessKeyId: Type.String({ minLength: 1 }),
              secretAccessKey: Type.String({ minLength: 1 }),
              forcePathStyle: Type.Optional(Type.Boolean({ description: 'default true' })),
            },
            { additionalProperties: false },
          ),
          postgresUrl: Type.String({ minLength: 1, description: 'postgres://user:password@host:port/db' }),
          syncConcurrency: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 32, description: 'parallel uploads, default 2' }),
          ),
          keepLocalDays: Type.Optional(
            Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
              description: 'days a verified district copy is also kept locally; null keeps every local copy',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type StationConfig = Static<typeof ConfigSchema>;
