import type { S3Client } from '@aws-sdk/client-s3';
import type { Archive } from '../archive/archive.ts';
import { stationActor } from '../compliance/deletion.ts';
import { type RetentionSettings, retentionSettings } from '../compliance/retention.ts';
import type { LoadedConfig } from '../config/config.ts';
import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording, type Recording } from '../ledger/recordings.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../time/clock.ts';
import { anchorAuditChain, lastAnchor } from './audit-anchors.ts';
import { deleteReviewedCopies } from './district-deletion.ts';
import { DistrictLedger } from './district-ledger.ts';
import type { DistrictSettings } from './district-settings.ts';
import { evictLocalCopies } from './local-eviction.ts';
import { abortUpload, uploadFile } from './multipart-upload.ts';
import { objectKeyOf } from './object-key.ts';
import { applyLock, assertBucketHasObjectLock } from './object-lock.ts';
import {
  dueUploads,
  joinDistrict,
  markAttemptFailed,
  markLocked,
  markUploaded,
  markUploading,
  markVerified,
  type OutboxRow,
  outboxCounts,
  outboxRow,
  verifiedRows,
  withdrawnUploads,
  withdrawUpload,
} from './outbox.ts';
import { hashStoredObject } from './read-back.ts';
import { createS3Client } from './s3-client.ts';
import { bypassesRowSecurity } from './station-accounts.ts';
import { wantedLock } from './wanted-lock.ts';

export interface SyncReport {
  uploaded: number[];
  failed: { recordingId: number; error: string }[];
  relocked: number[];
  evicted: number[];
  /** District copies the deletion review removed, their lock having expired. */
  deleted: number[];
  /** Removed by the review, but still locked in the store: deleted on a later pass. */
  deletionsWaiting: number[];
  anchoredHeadId: number | null;
  /** Parts of interrupted multipart uploads that were found in the store and not sent again. */
  resumedParts: number;
  /** Removed by the deletion review before they reached the district: out of the outbox, none sent. */
  withdrawn: number[];
}

interface SentCopy {
  recording: Recording;
  key: string;
  bucket: string;
}

export interface SyncDeps {
  db: Db;
  archive: Archive;
  config: LoadedConfig;
  settings: DistrictSettings;
  clock: Clock;
  logger: Logger;
  /** Parts of one file sent at once; tests lower it to cut an upload between parts. */
  partsInFlight?: number;
  /** How long a copy whose retention already ended is still locked (default a day; tests use seconds). */
  expiredRetentionLockMs?: number;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/**
 * One station's sync with its district: uploads what the outbox owes, extends locks that a hold or a
 * served decision lengthened, anchors the audit chain, evicts old local copies where configured, and
 * reports its backlog. A pass that cannot reach the store or the ledger changes nothing on the rows,
 * so days offline cost no back-off: the first pass that gets through catches up.
 */
export class DistrictSync {
  readonly s3: S3Client;
  readonly ledger: DistrictLedger;
  private readonly retention: RetentionSettings;
  private checkedRole = false;

  constructor(private readonly deps: SyncDeps) {
    this.s3 = createS3Client(deps.settings);
    this.ledger = new DistrictLedger(deps.settings.postgresUrl, deps.settings.zone);
    this.retention = retentionSettings(deps.config);
  }

  async close(): Promise<void> {
    this.s3.destroy();
    await this.ledger.close();
  }

  /** `anchorEveryMs` 0 anchors whenever the chain head moved (the CLI); the service anchors hourly. */
  async runOnce(options: { anchorEveryMs?: number } = {}): Promise<SyncReport> {
    const { db, settings, clock } = this.deps;
    joinDistrict(db, settings.stationId, clock.now());
    await assertBucketHasObjectLock(this.s3, settings.s3.bucket);
    await this.ledger.assertSchema();
    await this.warnIfUnbound();
    await this.reportContact();
    const report: SyncReport = {
      uploaded: [],
      failed: [],
      relocked: [],
      evicted: [],
      deleted: [],
      deletionsWaiting: [],
      anchoredHeadId: null,
      resumedParts: 0,
      withdrawn: [],
    };
    await this.uploadDue(report);
    await this.extendLocks(report);
    const deletion = await deleteReviewedCopies(
      db,
      { s3: this.s3, bucket: settings.s3.bucket, ledger: this.ledger, stationId: settings.stationId },
      clock.now(),
    );
    report.deleted = deletion.deleted;
    report.deletionsWaiting = deletion.waiting.map((item) => item.recordingId);
    const anchorEveryMs = options.anchorEveryMs ?? hourMs;
    const previous = lastAnchor(db);
    if (!previous || clock.now().getTime() - Date.parse(previous.anchoredAt) >= anchorEveryMs) {
      const anchor = await anchorAuditChain(
        db,
        {
          s3: this.s3,
          bucket: settings.s3.bucket,
          ledger: this.ledger,
          stationId: settings.stationId,
          zone: settings.zone,
          retentionMonths: this.retention.months,
        },
        clock.now(),
      );
      report.anchoredHeadId = anchor?.headId ?? null;
    }
    if (settings.keepLocalDays !== null) {
      report.evicted = await evictLocalCopies(db, this.deps.archive, settings.keepLocalDays, clock.now());
    }
    await this.reportContact();
    return report;
  }

  // The database, not this code, keeps a station to its own rows; a login that skips row-level
  // security (the administrator's) works but loses that, so the log says so once.
  private async warnIfUnbound(): Promise<void> {
    if (this.checkedRole) return;
    this.checkedRole = true;
    if (await bypassesRowSecurity(this.ledger.pool)) {
      this.deps.logger.warn(
        { stationId: this.deps.settings.stationId },
        "district.postgresUrl logs in as a role that may write every station's rows: use the one from station district add-station",
      );
    }
  }

  private async reportContact(): Promise<void> {
    const { settings, db, clock } = this.deps;
    await this.ledger.reportContact(
      { id: settings.stationId, name: settings.stationName, zone: settings.zone },
      outboxCounts(db),
      clock.now(),
    );
  }

  private async uploadDue(report: SyncReport): Promise<void> {
    const { db, clock, settings, logger } = this.deps;
    const queue = dueUploads(db, clock.now());
    const attempt = async <T>(row: OutboxRow, stage: () => Promise<T>): Promise<T | null> => {
      try {
        return await stage();
      } catch (error) {
        const { name, message } = error as Error;
        const text = !message || message === 'UnknownError' ? name : message;
        markAttemptFailed(db, row.recordingId, text, clock.now());
        report.failed.push({ recordingId: row.recordingId, error: text });
        logger.warn({ recordingId: row.recordingId, err: error }, 'district upload failed; will retry');
        return null;
      }
    };
    for (const row of withdrawnUploads(db)) {
      if (await attempt(row, () => this.withdraw(row))) report.withdrawn.push(row.recordingId);
    }
    // Each worker reads back the file it has just sent while it sends the next one: the read-back
    // waits on the gateway's answers, the upload on its own, and neither needs the other's turn.
    const worker = async () => {
      let verifying: Promise<unknown> | null = null;
      for (let row = queue.shift(); row; row = queue.shift()) {
        const current = row;
        const sent = await attempt(current, () => this.send(current, report));
        await verifying;
        verifying = sent
          ? attempt(current, async () => {
              await this.verify(sent);
              report.uploaded.push(current.recordingId);
            })
          : null;
      }
      await verifying;
    };
    await Promise.all(Array.from({ length: settings.syncConcurrency }, worker));
  }

  /** A recording the review deleted before upload: its unfinished parts go, and so does its outbox row. */
  private async withdraw(row: OutboxRow): Promise<true> {
    const { db, settings } = this.deps;
    if (row.uploadId && row.objectKey) {
      await abortUpload(this.s3, { bucket: settings.s3.bucket, key: row.objectKey }, row.uploadId);
    }
    db.transaction(() => {
      withdrawUpload(db, row.recordingId);
      this.audit('district-withdraw', row.recordingId, {
        reason: 'deleted by the deletion review before it reached the district',
        state: row.state,
        attempts: row.attempts,
        abortedUploadId: row.uploadId,
      });
    }).immediate();
    return true;
  }

  /** Upload (or resume): the version is in the store, not yet locked or checked. */
  private async send(row: OutboxRow, report: SyncReport): Promise<SentCopy> {
    const { db, settings, clock, archive } = this.deps;
    const recording = findRecording(db, row.recordingId);
    if (!recording?.archivePath) throw new Error(`recording #${row.recordingId} has no archived file`);
    const key = row.objectKey ?? objectKeyOf(settings.stationId, recording, settings.zone);
    const bucket = settings.s3.bucket;
    const current = outboxRow(db, row.recordingId)!;
    if (!current.uploadedAt) {
      markUploading(db, recording.id, key, current.uploadId);
      const uploaded = await uploadFile(
        this.s3,
        archive.absolutePath(recording.archivePath),
        { bucket, key, metadata: metadataOf(settings.stationId, recording) },
        current.uploadId,
        {
          onUploadStarted: (uploadId) => markUploading(db, recording.id, key, uploadId),
          onPartsReused: (count) => {
            report.resumedParts += count;
          },
          partsInFlight: this.deps.partsInFlight,
        },
      );
      if (!uploaded.versionId)
        throw new Error(`bucket "${bucket}" returned no version id: is versioning on?`);
      db.transaction(() => {
        markUploaded(db, recording.id, uploaded.versionId, clock.now());
        this.audit('district-upload', recording.id, {
          objectKey: key,
          versionId: uploaded.versionId,
          bytes: recording.sizeBytes,
          resumedParts: uploaded.resumedParts,
        });
      }).immediate();
    }
    return { recording, key, bucket };
  }

  /** Lock, read back, then the district row: only then is the outbox row verified. */
  private async verify({ recording, key, bucket }: SentCopy): Promise<void> {
    const { db, settings, clock } = this.deps;
    const current = outboxRow(db, recording.id)!;
    const versionId = current.versionId!;
    const lock = await applyLock(this.s3, { bucket, key, versionId }, this.lockFor(recording.id));
    markLocked(db, recording.id, lock.retainUntil!.toISOString(), lock.legalHold);
    const stored = await hashStoredObject(this.s3, { bucket, key, versionId });
    if (stored.sha256 !== recording.sha256 || stored.bytes !== recording.sizeBytes) {
      // The stored version is locked and stays; the next attempt uploads a new, correct version.
      db.transaction(() => {
        db.prepare(
          'UPDATE district_outbox SET uploaded_at = NULL, version_id = NULL WHERE recording_id = ?',
        ).run(recording.id);
        this.audit('district-verify', recording.id, {
          result: 'mismatch',
          objectKey: key,
          versionId,
          sha256: stored.sha256,
          bytes: stored.bytes,
        });
      }).immediate();
      throw new Error(
        `district copy of #${recording.id} reads back as ${stored.sha256} (${stored.bytes} bytes), expected ${recording.sha256} (${recording.sizeBytes} bytes)`,
      );
    }
    await this.ledger.writeRecording(settings.stationId, recording, {
      objectKey: key,
      versionId,
      retainUntil: lock.retainUntil!,
      legalHold: lock.legalHold,
      uploadedAt: new Date(current.uploadedAt!),
      verifiedAt: clock.now(),
    });
    db.transaction(() => {
      markVerified(db, recording.id, clock.now());
      this.audit('district-verify', recording.id, {
        result: 'match',
        objectKey: key,
        versionId,
        sha256: stored.sha256,
        retainUntil: lock.retainUntil!.toISOString(),
        legalHold: lock.legalHold,
      });
    }).immediate();
  }

  /**
   * The lock the copy should carry: its retention end (wantedLock). A copy whose retention already
   * ended before it reached the district (a station offline past it) is still locked a while, so no
   * version is ever unlocked in the bucket before the deletion review has had its say.
   */
  private lockFor(recordingId: number): { retainUntil: Date; legalHold: boolean } {
    const wanted = wantedLock(this.deps.db, this.retention, recordingId);
    const floor = new Date(this.deps.clock.now().getTime() + (this.deps.expiredRetentionLockMs ?? dayMs));
    return wanted.retainUntil > this.deps.clock.now() ? wanted : { ...wanted, retainUntil: floor };
  }

  private audit(
    action: 'district-upload' | 'district-verify' | 'district-withdraw',
    recordingId: number,
    detail: Record<string, unknown>,
  ): void {
    appendAudit(
      this.deps.db,
      { actor: stationActor, action, subjectType: 'recording', subjectId: recordingId, detail },
      this.deps.clock.now(),
    );
  }

  /** A new hold or a later served decision lengthens the lock; it is never shortened. */
  private async extendLocks(report: SyncReport): Promise<void> {
    const { db, settings } = this.deps;
    for (const row of verifiedRows(db)) {
      // No floor here: re-applying it would push an expired copy's lock out on every pass.
      const wanted = wantedLock(db, this.retention, row.recordingId);
      const recorded = row.retainUntil ? new Date(row.retainUntil) : null;
      const longer = !recorded || wanted.retainUntil > recorded;
      if (!longer && wanted.legalHold === row.legalHold) continue;
      const lock = await applyLock(
        this.s3,
        { bucket: settings.s3.bucket, key: row.objectKey!, versionId: row.versionId! },
        wanted,
      );
      markLocked(db, row.recordingId, lock.retainUntil!.toISOString(), lock.legalHold);
      await this.ledger.updateLock(settings.stationId, row.recordingId, lock.retainUntil!, lock.legalHold);
      report.relocked.push(row.recordingId);
    }
  }
}

// S3 user metadata travels in HTTP headers: ASCII only, so names are percent-encoded.
function metadataOf(stationId: string, recording: Recording): Record<string, string> {
  const entries: Record<string, string | number | null> = {
    station: stationId,
    'recording-id': recording.id,
    sha256: recording.sha256,
    size: recording.sizeBytes,
    officer: recording.officerName,
    badge: recording.badge,
    start: recording.start,
    end: recording.end,
    device: recording.deviceSerial,
  };
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(entries)) {
    if (value !== null && value !== undefined) metadata[name] = encodeURIComponent(String(value));
  }
  return metadata;
}
