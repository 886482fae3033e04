import { ConfigError, type LoadedConfig } from '../config/config.ts';

/** The district keys with their defaults applied; null when the station is not in a district. */
export interface DistrictSettings {
  stationId: string;
  stationName: string;
  zone: string;
  s3: {
    endpoint: string;
    region: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: boolean;
  };
  postgresUrl: string;
  syncConcurrency: number;
  keepLocalDays: number | null;
}

export function districtSettings(
  config: Pick<LoadedConfig, 'station' | 'district'>,
): DistrictSettings | null {
  const district = config.district;
  if (!district) return null;
  if (!config.station.id) {
    throw new ConfigError({ key: 'cli.district.noStationId' });
  }
  return {
    stationId: config.station.id,
    stationName: config.station.name,
    zone: config.station.timezone,
    s3: { ...district.s3, forcePathStyle: district.s3.forcePathStyle ?? true },
    postgresUrl: district.postgresUrl,
    syncConcurrency: district.syncConcurrency ?? 2,
    keepLocalDays: district.keepLocalDays ?? null,
  };
}

/** For commands that make no sense outside a district. */
export function requireDistrict(config: Pick<LoadedConfig, 'station' | 'district'>): DistrictSettings {
  const settings = districtSettings(config);
  if (!settings) {
    throw new ConfigError({ key: 'cli.district.notConfigured' });
  }
  return settings;
}

/** What the district view (`station district serve`) needs: the bucket and the ledger, no station id. */
export function districtStore(
  config: Pick<LoadedConfig, 'station' | 'district'>,
): Pick<DistrictSettings, 's3' | 'postgresUrl' | 'zone'> {
  const district = config.district;
  if (!district) {
    throw new ConfigError({ key: 'cli.district.notConfigured' });
  }
  return {
    s3: { ...district.s3, forcePathStyle: district.s3.forcePathStyle ?? true },
    postgresUrl: district.postgresUrl,
    zone: config.station.timezone,
  };
}
