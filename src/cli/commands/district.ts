import { hasUsers } from '../../auth/users.ts';
import { ConfigError } from '../../config/config.ts';
import { untilStopSignal } from '../../daemon/signals.ts';
import { lastAnchor } from '../../district/audit-anchors.ts';
import { buildDistrictDashboard } from '../../district/dashboard/app.ts';
import { DistrictLedger, DistrictSchemaMissing } from '../../district/district-ledger.ts';
import { migrateDistrict } from '../../district/district-migrations.ts';
import { type DistrictSettings, districtSettings, districtStore } from '../../district/district-settings.ts';
import { DistrictSync } from '../../district/district-sync.ts';
import { ObjectLockMissing } from '../../district/object-lock.ts';
import { joinDistrict, outboxCounts } from '../../district/outbox.ts';
import { createS3Client } from '../../district/s3-client.ts';
import { addStationAccount } from '../../district/station-accounts.ts';
import { formatDateTime } from '../../i18n/format.ts';
import type { LedgerStation } from '../../station.ts';
import { isoInZone } from '../../time/zone.ts';
import {
  CheckFailed,
  type CliCommand,
  formatTable,
  optionalString,
  print,
  printJson,
  t,
  UsageError,
  withLedger,
  withStation,
} from '../command.ts';

// A district that cannot be used is a failed check with its reason, not a stack trace.
async function districtCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ObjectLockMissing)
      throw new CheckFailed(t('cli.district.noObjectLock', { bucket: error.bucket }));
    if (error instanceof DistrictSchemaMissing) {
      const version = error.version === null ? '-' : String(error.version);
      throw new CheckFailed(t('cli.district.schemaMissing', { version, needed: error.needed }));
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code === 'ECONNRESET') {
      throw new CheckFailed(t('cli.district.unreachable', { code, detail: (error as Error).message }));
    }
    throw error;
  }
}

// The district settings or why there are none, in the station's language.
function requireDistrict(station: LedgerStation): DistrictSettings {
  if (!station.config.district) throw new ConfigError({ key: 'cli.district.notConfigured' });
  if (!station.config.station.id) throw new ConfigError({ key: 'cli.district.noStationId' });
  return districtSettings(station.config)!;
}

const migrateCommand: CliCommand = {
  name: 'district migrate',
  summary: 'cli.summary.district.migrate',
  usage: 'station district migrate',
  async run() {
    return withLedger(async (station) => {
      const settings = requireDistrict(station);
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
            ? t('cli.district.migrated', { versions: applied.join(', ') })
            : t('cli.district.upToDate'),
        );
      } finally {
        await ledger.close();
      }
      return 0;
    });
  },
};

const addStationCommand: CliCommand = {
  name: 'district add-station',
  summary: 'cli.summary.district.addStation',
  usage: 'station district add-station --station ID [--json]',
  options: { station: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const stationId = optionalString(args, 'station');
    if (!stationId) throw new UsageError(t('cli.district.stationRequired'));
    return withLedger(async (station) => {
      const settings = requireDistrict(station);
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
          print(t('cli.district.accountMade', { role: account.role, station: stationId }));
          print(t('cli.district.accountUrl', { url: account.postgresUrl }));
        }
        return 0;
      } finally {
        await ledger.close();
      }
    });
  },
};

const syncCommand: CliCommand = {
  name: 'district sync',
  summary: 'cli.summary.district.sync',
  usage: 'station district sync [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    return withStation(async (station) => {
      const settings = requireDistrict(station);
      const sync = new DistrictSync({
        ...station,
        settings,
        logger: station.logger.child({ service: 'district' }),
      });
      try {
        const report = await districtCall(() => sync.runOnce({ anchorEveryMs: 0 }));
        if (args.values.json) printJson(report);
        else {
          for (const failure of report.failed)
            print(t('cli.district.failed', { id: failure.recordingId, error: failure.error }));
          const summary = t('cli.district.synced', {
            uploaded: report.uploaded.length,
            failed: report.failed.length,
            relocked: report.relocked.length,
            evicted: report.evicted.length,
          });
          print(
            report.anchoredHeadId === null
              ? summary
              : `${summary}${t('cli.district.anchored', { id: report.anchoredHeadId })}`,
          );
        }
        return report.failed.length ? 1 : 0;
      } finally {
        await sync.close();
      }
    });
  },
};

const statusCommand: CliCommand = {
  name: 'district status',
  summary: 'cli.summary.district.status',
  usage: 'station district status [--json]',
  options: { json: { type: 'boolean' } },
  async run(args) {
    return withLedger(async (station) => {
      const settings = requireDistrict(station);
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
        const local = (value: string | null) => formatDateTime(value, zone) || '-';
        print(`${t('district.oldestPending')}: ${local(status.oldestPendingAt)}`);
        print(`${t('district.lastContact')}: ${local(status.lastContactAt)}`);
        print(
          `${t('district.lastAnchor')}: ${local(status.anchors.lastAt)} #${status.anchors.headId ?? '-'}`,
        );
      }
      return 0;
    });
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
    throw new UsageError(t('cli.error.date', { option: `--${name}`, value }));
  }
  return value;
}

const cliRows = 10_000;

const ledgerCommand: CliCommand = {
  name: 'district ledger',
  summary: 'cli.summary.district.ledger',
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
    return withLedger(async (station) => {
      const settings = requireDistrict(station);
      const ledger = new DistrictLedger(settings.postgresUrl, settings.zone);
      try {
        const found = await districtCall(async () => {
          await ledger.assertSchema();
          return ledger.ledger({ ...filter, limit: cliRows + 1 });
        });
        // A district holds millions of rows: the CLI lists the first ones and says so, never silently.
        const more = found.length > cliRows;
        const recordings = found.slice(0, cliRows);
        if (args.values.json) printJson({ recordings, more });
        else {
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
          if (more) print(t('cli.district.ledgerCapped', { count: cliRows }));
        }
        return 0;
      } finally {
        await ledger.close();
      }
    });
  },
};

const serveCommand: CliCommand = {
  name: 'district serve',
  summary: 'cli.summary.district.serve',
  usage: 'station district serve',
  async run() {
    // This home is the district view's own: its users (leader, auditor, clerk), sessions and audit chain.
    return withStation(async (station) => {
      const store = districtStore(station.config);
      const ledger = new DistrictLedger(store.postgresUrl, store.zone);
      const s3 = createS3Client(store);
      try {
        await districtCall(() => ledger.assertSchema());
        const app = await buildDistrictDashboard(station, { ledger, s3, bucket: store.s3.bucket });
        const { host, port } = station.config.http;
        const address = await app.listen({ host, port });
        station.logger.info({ address }, 'district dashboard listening');
        if (!hasUsers(station.db)) station.logger.warn(t('cli.district.noUsers'));
        await untilStopSignal(station.logger);
        await app.close();
        return 0;
      } finally {
        s3.destroy();
        await ledger.close();
      }
    });
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
