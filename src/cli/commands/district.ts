import { hasUsers } from '../../auth/users.ts';
import { untilStopSignal } from '../../daemon/signals.ts';
import { lastAnchor } from '../../district/audit-anchors.ts';
import { buildDistrictDashboard } from '../../district/dashboard/app.ts';
import { DistrictLedger, DistrictSchemaMissing } from '../../district/district-ledger.ts';
import { migrateDistrict } from '../../district/district-migrations.ts';
import { districtStore, requireDistrict } from '../../district/district-settings.ts';
import { DistrictSync } from '../../district/district-sync.ts';
import { ObjectLockMissing } from '../../district/object-lock.ts';
import { joinDistrict, outboxCounts } from '../../district/outbox.ts';
import { createS3Client } from '../../district/s3-client.ts';
import { addStationAccount } from '../../district/station-accounts.ts';
import { translator } from '../../i18n/catalogue.ts';
import { openStation } from '../../station.ts';
import { isoInZone } from '../../time/zone.ts';
import {
  CheckFailed,
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  UsageError,
} from '../command.ts';

// A district that cannot be used is a failed check with its reason, not a stack trace.
async function districtCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ObjectLockMissing || error instanceof DistrictSchemaMissing) {
      throw new CheckFailed(error.message);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code === 'ECONNRESET') {
      throw new CheckFailed(`district unreachable (${code}): ${(error as Error).message}`);
    }
    throw error;
  }
}

const migrateCommand: CliCommand = {
  name: 'district migrate',
  summary: "Create or update the district ledger's tables in PostgreSQL (district.postgresUrl)",
  usage: 'station district migrate',
  async run() {
    const station = await openStation();
    try {
      const settings = requireDistrict(station.config);
      const ledger = new DistrictLedger(settings.postgresUrl, settings.zone);
      try {
        const applied = await districtCall(async () => {
          const client = await ledger.pool.connect();
          try {
            return await migrateDistrict(client);
          } finally {
            client.release();
          }
        });
        print(
          applied.length
            ? `district ledger: applied schema ${applied.join(', ')}`
            : 'district ledger: schema up to date',
        );
      } finally {
        await ledger.close();
      }
      return 0;
    } finally {
      station.close();
    }
  },
};

const addStationCommand: CliCommand = {
  name: 'district add-station',
  summary: "The district administrator's step: a PostgreSQL login for one station, bound to its own rows",
  usage: 'station district add-station --station ID [--json]',
  options: { station: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const stationId = optionalString(args, 'station');
    if (!stationId) throw new UsageError('--station ID is required (the station.id of the station)');
    const station = await openStation();
    try {
      const settings = requireDistrict(station.config);
      const ledger = new DistrictLedger(settings.postgresUrl, settings.zone);
      try {
        const account = await districtCall(async () => {
          await ledger.assertSchema();
          const client = await ledger.pool.connect();
          try {
            return await addStationAccount(client, settings.postgresUrl, stationId);
          } finally {
            client.release();
          }
        });
        if (args.values.json) printJson(account);
        else {
          print(`district ledger: role "${account.role}" may write only rows of station ${stationId}`);
          print(`set district.postgresUrl on that station to: ${account.postgresUrl}`);
        }
        return 0;
      } finally {
        await ledger.close();
      }
    } finally {
      station.close();
    }
  },
};

const syncCommand: CliCommand = {
  name: 'district sync',
  summary: 'One pass now: upload, lock and verify what the district is owed, anchor the audit chain',
  usage: 'station district sync [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const station = await openStation();
    try {
      const settings = requireDistrict(station.config);
      const sync = new DistrictSync({
        ...station,
        settings,
        logger: station.logger.child({ service: 'district' }),
      });
      try {
        const report = await districtCall(() => sync.runOnce({ anchorEveryMs: 0 }));
        if (args.values.json) printJson(report);
        else {
          for (const failure of report.failed) print(`FAILED #${failure.recordingId}: ${failure.error}`);
          print(
            `district sync: ${report.uploaded.length} uploaded and verified, ${report.failed.length} failed, ` +
              `${report.relocked.length} locks extended, ${report.evicted.length} local copies removed` +
              (report.anchoredHeadId !== null ? `, audit chain anchored at #${report.anchoredHeadId}` : ''),
          );
        }
        return report.failed.length ? 1 : 0;
      } finally {
        await sync.close();
      }
    } finally {
      station.close();
    }
  },
};

const statusCommand: CliCommand = {
  name: 'district status',
  summary: "This station's district backlog: pending, uploading, verified, failed, last contact, anchors",
  usage: 'station district status [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const station = await openStation();
    try {
      const settings = requireDistrict(station.config);
      joinDistrict(station.db, settings.stationId, station.clock.now());
      const counts = outboxCounts(station.db);
      const zone = settings.zone;
      const iso = (value: string | null) => (value ? isoInZone(new Date(value), zone) : null);
      const anchor = lastAnchor(station.db);
      const status = {
        stationId: settings.stationId,
        pending: counts.pending,
        uploading: counts.uploading,
        verified: counts.verified,
        failed: counts.failed,
        oldestPendingAt: iso(counts.oldestPendingAt),
        lastContactAt: iso(lastContact(station.db)),
        anchors: { lastAt: iso(anchor?.anchoredAt ?? null), headId: anchor?.headId ?? null },
      };
      if (args.values.json) printJson(status);
      else {
        const t = translator(station.config.station.language);
        print(
          formatTable(
            [
              t('district.station'),
              t('district.pending'),
              t('district.uploading'),
              t('district.verified'),
              t('district.failed'),
            ],
            [
              [
                status.stationId,
                String(status.pending),
                String(status.uploading),
                String(status.verified),
                String(status.failed),
              ],
            ],
          ),
        );
        print(`${t('district.oldestPending')}: ${status.oldestPendingAt ?? '-'}`);
        print(`${t('district.lastContact')}: ${status.lastContactAt ?? '-'}`);
        print(
          `${t('district.lastAnchor')}: ${status.anchors.lastAt ?? '-'} #${status.anchors.headId ?? '-'}`,
        );
      }
      return 0;
    } finally {
      station.close();
    }
  },
};

// The last time a row reached the district: a verified upload or an anchor.
function lastContact(db: import('../../ledger/database.ts').Db): string | null {
  return (
    (db
      .prepare(
        `SELECT MAX(at) FROM (SELECT MAX(verified_at) AS at FROM district_outbox
         UNION ALL SELECT MAX(anchored_at) FROM district_anchors)`,
      )
      .pluck()
      .get() as string | null) ?? null
  );
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function dateOption(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!datePattern.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--${name} must be a date YYYY-MM-DD (local date), got "${value}"`);
  }
  return value;
}

const ledgerCommand: CliCommand = {
  name: 'district ledger',
  summary: "The district ledger (every station's recordings) from PostgreSQL, filtered",
  usage: 'station district ledger [--station ID] [--badge B] [--from DATE] [--to DATE] [--json]',
  options: {
    station: { type: 'string' },
    badge: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const filter = {
      stationId: optionalString(args, 'station'),
      badge: optionalString(args, 'badge'),
      fromDate: dateOption(optionalString(args, 'from'), 'from'),
      toDate: dateOption(optionalString(args, 'to'), 'to'),
    };
    const station = await openStation();
    try {
      const settings = requireDistrict(station.config);
      const ledger = new DistrictLedger(settings.postgresUrl, settings.zone);
      try {
        const recordings = await districtCall(async () => {
          await ledger.assertSchema();
          return ledger.ledger(filter);
        });
        if (args.values.json) printJson({ recordings });
        else {
          const t = translator(station.config.station.language);
          print(
            formatTable(
              [
                t('district.station'),
                t('ledger.id'),
                t('ledger.officerName'),
                t('ledger.badge'),
                t('ledger.date'),
                t('ledger.start'),
                t('district.retainUntil'),
                t('district.legalHold'),
              ],
              recordings.map((row) => [
                row.stationId,
                String(row.recordingId),
                row.officerName ?? '-',
                row.badge ?? t('common.unassigned'),
                row.date ?? '-',
                row.start ?? '-',
                row.retainUntil,
                row.legalHold ? t('common.yes') : t('common.no'),
              ]),
            ),
          );
        }
        return 0;
      } finally {
        await ledger.close();
      }
    } finally {
      station.close();
    }
  },
};

const serveCommand: CliCommand = {
  name: 'district serve',
  summary:
    'The dashboard in district mode: every station from PostgreSQL and the bucket; stops on SIGINT/SIGTERM',
  usage: 'station district serve',
  async run() {
    // This home is the district view's own: its users (leader, auditor, clerk), sessions and audit chain.
    const station = await openStation();
    try {
      const store = districtStore(station.config);
      const ledger = new DistrictLedger(store.postgresUrl, store.zone);
      const s3 = createS3Client(store);
      try {
        await districtCall(() => ledger.assertSchema());
        const app = await buildDistrictDashboard(station, { ledger, s3, bucket: store.s3.bucket });
        const { host, port } = station.config.http;
        const address = await app.listen({ host, port });
        station.logger.info({ address }, 'district dashboard listening');
        if (!hasUsers(station.db)) {
          station.logger.warn(
            'no users yet: add them with npx station users add NAME --role leader|auditor|clerk --password-stdin',
          );
        }
        await untilStopSignal(station.logger);
        await app.close();
        return 0;
      } finally {
        s3.destroy();
        await ledger.close();
      }
    } finally {
      station.close();
    }
  },
};

export const districtCommands: CliCommand[] = [
  migrateCommand,
  addStationCommand,
  syncCommand,
  statusCommand,
  ledgerCommand,
  serveCommand,
];
