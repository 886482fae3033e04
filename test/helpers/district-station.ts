import path from 'node:path';
import pg from 'pg';
import { migrateDistrict } from '../../src/district/district-migrations.ts';
import { requireDistrict } from '../../src/district/district-settings.ts';
import { DistrictSync } from '../../src/district/district-sync.ts';
import { addStationAccount } from '../../src/district/station-accounts.ts';
import { dockFolder } from '../../src/dock/dock-session.ts';
import { makeVideo } from '../../src/footage/generate.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStation, type Station } from '../../src/station.ts';
import type { Clock } from '../../src/time/clock.ts';
import { type DistrictServices, districtConfig } from './district-services.ts';
import { temporaryFolder } from './station-cli.ts';

export interface DistrictStation {
  station: Station;
  home: string;
  configFile: string;
  folder: string;
  sync: DistrictSync;
  /** Ingests `count` short real videos under `badge`; returns their recording ids. */
  ingest(count: number, options?: IngestOptions): Promise<number[]>;
  close(): Promise<void>;
}

export interface IngestOptions {
  badge?: string;
  seconds?: number;
  /** Large frames in MJPEG make a file of tens of MB in seconds of encoding, for multipart uploads. */
  large?: boolean;
}

let variant = 1;

/**
 * A station with real footage, configured for the given district (bucket + database `postgresUrl`,
 * the administrator's). Unless `migrated` is false, the district ledger is migrated first and the
 * station logs in as its own role, as `station district add-station` sets it up; otherwise it uses the
 * administrator's URL and no tables exist yet.
 */
export async function openDistrictStation(
  services: DistrictServices,
  district: {
    stationId: string;
    bucket: string;
    postgresUrl: string;
    endpoint?: string;
    keepLocalDays?: number;
  },
  options: {
    clock?: Clock;
    partsInFlight?: number;
    migrated?: boolean;
    expiredRetentionLockMs?: number;
  } = {},
): Promise<DistrictStation> {
  const { clock, partsInFlight, expiredRetentionLockMs } = options;
  const postgresUrl =
    options.migrated === false
      ? district.postgresUrl
      : await stationAccount(district.postgresUrl, district.stationId);
  const folder = await temporaryFolder(`district-${district.stationId}`);
  const home = path.join(folder.path, 'home');
  const { config, file } = await districtConfig(home, { ...district, postgresUrl }, services);
  const station = await openStation({ config, logger: silentLogger, clock });
  station.db
    .prepare(
      "INSERT INTO officers (badge, name, created_at) VALUES ('010001', '张三', ?), ('010002', '李四', ?)",
    )
    .run(new Date().toISOString(), new Date().toISOString());
  const settings = requireDistrict(config);
  const sync = new DistrictSync({
    ...station,
    settings,
    logger: silentLogger,
    partsInFlight,
    expiredRetentionLockMs,
  });
  let batch = 0;
  return {
    station,
    home,
    configFile: file,
    folder: folder.path,
    sync,
    async ingest(count, options = {}) {
      const source = path.join(folder.path, `recorder-${batch++}`);
      for (let index = 0; index < count; index++) {
        await makeVideo(path.join(source, `VID_${String(index + 1).padStart(4, '0')}.mp4`), {
          seconds: options.seconds ?? 1,
          width: options.large ? 1920 : 160,
          height: options.large ? 1080 : 120,
          codec: options.large ? 'mjpeg' : undefined,
          audio: !options.large,
          variant: variant++,
        });
      }
      const report = await dockFolder(station, {
        sourceRoot: source,
        origin: 'test',
        badge: options.badge ?? '010001',
      });
      if (report.state !== 'done') throw new Error(`ingest failed: ${report.state} ${report.stoppedReason}`);
      await station.playback.whenIdle();
      return report.recordings.map((recording) => recording.id);
    },
    async close() {
      await sync.close();
      station.close();
      await folder.remove();
    },
  };
}

/** Migrates the district ledger as its administrator and returns the station's own login URL. */
export async function stationAccount(adminUrl: string, stationId: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await migrateDistrict(client);
    return (await addStationAccount(client, adminUrl, stationId)).postgresUrl;
  } finally {
    await client.end();
  }
}
