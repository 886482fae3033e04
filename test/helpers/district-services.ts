import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { type LoadedConfig, loadConfig } from '../../src/config/config.ts';
import { createS3Client } from '../../src/district/s3-client.ts';
import { repoRoot } from './station-cli.ts';

const run = promisify(execFile);

export interface DistrictServices {
  dir: string;
  s3Endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  postgresUrl: string;
}

/**
 * The Ceph and PostgreSQL that test/global-setup.ts started, or null (the file then skips). On CI a
 * missing service is a failure, never a skip.
 */
export function districtServices(): DistrictServices | null {
  const env = process.env;
  if (!env.DISTRICT_S3_ENDPOINT || !env.DISTRICT_POSTGRES_URL) {
    const why = env.DISTRICT_SERVICES_UNAVAILABLE ?? 'test/global-setup.ts did not start them';
    if (env.CI === 'true') throw new Error(`district services unavailable on CI: ${why}`);
    console.warn(`skipping district tests: ${why}`);
    return null;
  }
  return {
    dir: env.DISTRICT_SERVICES_DIR!,
    s3Endpoint: env.DISTRICT_S3_ENDPOINT,
    accessKeyId: env.DISTRICT_S3_ACCESS_KEY_ID!,
    secretAccessKey: env.DISTRICT_S3_SECRET_ACCESS_KEY!,
    postgresUrl: env.DISTRICT_POSTGRES_URL,
  };
}

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

/** A new bucket, with Object Lock unless told otherwise. */
export async function createBucket(
  services: DistrictServices,
  options: { objectLock?: boolean; endpoint?: string } = {},
): Promise<string> {
  const bucket = uniqueName('district');
  const s3 = createS3Client({ s3: s3Settings(services, bucket, options.endpoint) });
  try {
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: options.objectLock ?? true }),
    );
  } finally {
    s3.destroy();
  }
  return bucket;
}

/** A new, empty PostgreSQL database: one district per test. */
export async function createDistrictDatabase(services: DistrictServices): Promise<string> {
  const name = uniqueName('district').replaceAll('-', '_');
  const client = new pg.Client({ connectionString: services.postgresUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(services.postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function s3Settings(services: DistrictServices, bucket: string, endpoint?: string) {
  return {
    endpoint: endpoint ?? services.s3Endpoint,
    region: 'default',
    bucket,
    accessKeyId: services.accessKeyId,
    secretAccessKey: services.secretAccessKey,
    forcePathStyle: true,
  };
}

/** Writes a station override naming the district and loads the configuration as `station` would. */
export async function districtConfig(
  home: string,
  district: {
    stationId: string;
    bucket: string;
    postgresUrl: string;
    endpoint?: string;
    keepLocalDays?: number;
  },
  services: DistrictServices,
): Promise<{ config: LoadedConfig; file: string }> {
  const file = path.join(path.dirname(home), `${path.basename(home)}-district.json`);
  await writeFile(
    file,
    JSON.stringify({
      station: { id: district.stationId },
      district: {
        s3: s3Settings(services, district.bucket, district.endpoint),
        postgresUrl: district.postgresUrl,
        keepLocalDays: district.keepLocalDays ?? null,
      },
    }),
  );
  return { config: loadConfig({ STATION_HOME: home, STATION_CONFIG: file }), file };
}

/** One more radosgw on the same cluster, which a test may stop by pid without disturbing the others. */
export async function startGateway(
  services: DistrictServices,
  name: string,
): Promise<{ endpoint: string; pid(): Promise<number>; restart(): Promise<void> }> {
  const script = path.join(repoRoot, 'scripts', 'district-services.sh');
  const { stdout } = await run(script, ['gateway', services.dir, name], { timeout: 120_000 });
  const values = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    endpoint: values.ENDPOINT,
    pid: async () => Number((await readFile(values.PID_FILE, 'utf8')).trim()),
    restart: async () => {
      await run(script, ['gateway', services.dir, name, values.PORT], { timeout: 120_000 });
    },
  };
}
