import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Archive } from '../archive/archive.ts';
import type { LoadedConfig } from '../config/config.ts';
import type { Db } from '../ledger/database.ts';
import { districtSettings } from './district-settings.ts';
import { createS3Client } from './s3-client.ts';

/** One recording's bytes, wherever they are: the local archive, or the district bucket after eviction. */
export interface Footage {
  size: number;
  where: 'local' | 'district';
  /** The bytes from `start` to `end` inclusive, or all of them. */
  read(range?: { start: number; end: number }): Promise<Readable>;
}

interface DistrictCopy {
  objectKey: string;
  versionId: string | null;
  sizeBytes: number;
  sha256: string;
}

// Only an evicted recording is read from the district; every other read stays on the local disk.
function districtCopyOf(db: Db, recordingId: number): DistrictCopy | null {
  const hasOutbox = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'district_outbox'")
    .get();
  if (!hasOutbox) return null;
  return (
    (db
      .prepare(
        `SELECT o.object_key AS objectKey, o.version_id AS versionId, r.size_bytes AS sizeBytes, r.sha256
         FROM district_outbox o JOIN recordings r ON r.id = o.recording_id
         WHERE o.recording_id = ? AND o.local_evicted_at IS NOT NULL`,
      )
      .get(recordingId) as DistrictCopy | undefined) ?? null
  );
}

/** Whether the station's only copy of this recording is the district's. */
export function isHeldByDistrict(db: Db, recordingId: number): boolean {
  return districtCopyOf(db, recordingId) !== null;
}

/**
 * Opens recordings for playback, export and fixity. The S3 client is made on the first district read,
 * so a station without a district (or with every copy local) never needs one.
 */
export class FootageReader {
  private s3: S3Client | null = null;

  constructor(
    private readonly deps: { db: Db; archive: Archive; config: Pick<LoadedConfig, 'station' | 'district'> },
  ) {}

  async open(recording: { id: number; archivePath: string }): Promise<Footage> {
    const copy = districtCopyOf(this.deps.db, recording.id);
    if (!copy) {
      const file = this.deps.archive.absolutePath(recording.archivePath);
      const { size } = await stat(file);
      return {
        size,
        where: 'local',
        read: async (range) => createReadStream(file, range ?? {}),
      };
    }
    const bucket = this.bucket();
    return {
      size: copy.sizeBytes,
      where: 'district',
      read: async (range) => {
        const result = await this.client().send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: copy.objectKey,
            VersionId: copy.versionId ?? undefined,
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          }),
        );
        return result.Body as Readable;
      },
    };
  }

  /**
   * A local file holding the recording, for tools that need a path (the evidence export): the archived
   * file itself, or a copy fetched from the district and checked against the ledger hash. `release`
   * removes a fetched copy.
   */
  async localFile(recording: {
    id: number;
    archivePath: string;
    sha256: string;
  }): Promise<{ file: string; release(): Promise<void> }> {
    const footage = await this.open(recording);
    if (footage.where === 'local') {
      return { file: this.deps.archive.absolutePath(recording.archivePath), release: async () => {} };
    }
    const file = path.join(
      this.deps.archive.partialDir,
      `district-${recording.id}${path.extname(recording.archivePath)}`,
    );
    const sha256 = await writeHashed(await footage.read(), file);
    if (sha256 !== recording.sha256) {
      await rm(file, { force: true });
      throw new Error(`district copy of #${recording.id} does not match its ledger hash`);
    }
    return { file, release: () => rm(file, { force: true }) };
  }

  /** For fixity: the SHA-256 of the district copy when that is the station's only copy, else null. */
  async districtHash(recording: { id: number; archivePath: string }): Promise<string | null> {
    if (!isHeldByDistrict(this.deps.db, recording.id)) return null;
    const hash = createHash('sha256');
    for await (const chunk of await (await this.open(recording)).read()) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  close(): void {
    this.s3?.destroy();
    this.s3 = null;
  }

  private bucket(): string {
    const settings = districtSettings(this.deps.config);
    if (!settings) throw new Error('this recording is held by the district, but no district is configured');
    return settings.s3.bucket;
  }

  private client(): S3Client {
    const settings = districtSettings(this.deps.config)!;
    this.s3 ??= createS3Client(settings);
    return this.s3;
  }
}

async function writeHashed(stream: Readable, file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'w', 0o600);
  try {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      await handle.write(chunk as Buffer);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
