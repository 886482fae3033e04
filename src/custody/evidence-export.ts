import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Archive } from '../archive/archive.ts';
import { copyWithHash, hashFile, syncFile } from '../archive/copy-file.ts';
import { findUserByName } from '../auth/users.ts';
import type { StationConfig } from '../config/config.ts';
import { FootageReader } from '../district/footage-reader.ts';
import { englishText, label, TranslatedError } from '../i18n/translated-error.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording, type Recording } from '../ledger/recordings.ts';
import {
  AccessRefused,
  type AccessRequest,
  AccessRequestError,
  findAccessRequest,
  grantTime,
  isActive,
} from './access-requests.ts';
import { appendAudit } from './audit-log.ts';
import {
  type ExportedFile,
  type StatementFacts,
  statementHtml,
  statementText,
} from './evidence-statement.ts';
import { grantProblem } from './grant-seal.ts';
import { type Refusal, refusesExport } from './release-rules.ts';

const run = promisify(execFile);

export const manifestName = 'SHA256SUMS';
export const isoName = 'evidence.iso';

export interface ExportDeps {
  db: Db;
  archive: Archive;
  config: Pick<StationConfig, 'station' | 'ingest' | 'district'>;
}

export interface EvidenceExport {
  requestId: number;
  outDir: string;
  files: { recordingId: number; name: string; sha256: string; sizeBytes: number }[];
  manifest: string;
  statements: string[];
  iso: { name: string; sha256: string; sizeBytes: number };
  thirdPartyReview: boolean;
}

/** A copy that did not match its original: nothing is released. */
export class ExportFailed extends TranslatedError {}

/**
 * Art. 25: makes the evidence package for an approved copy request — the files, a SHA-256 manifest
 * that `sha256sum -c` accepts, the statement (text and printable HTML) and an ISO 9660 image of all
 * of it ready to burn. Every copy is read back and must equal its original's ingest hash before the
 * package is released; on any failure the folder is removed again. Refusals write nothing.
 */
export async function exportEvidence(
  deps: ExportDeps,
  input: { requestId: number; outDir: string; by?: string },
  now: Date,
): Promise<EvidenceExport> {
  const { db } = deps;
  const request = findAccessRequest(db, input.requestId);
  if (!request)
    throw new AccessRequestError({ key: 'access.error.noRequest', values: { id: input.requestId } });
  const maker = input.by ?? request.user;
  const makerUser = findUserByName(db, maker);
  const id = request.id;
  const refusal: Refusal | null =
    request.mode !== 'copy'
      ? { key: 'refusal.viewOnly', values: { id } }
      : request.state !== 'approved'
        ? { key: 'refusal.notApproved', values: { id, state: label('dash.access.state.', request.state) } }
        : !isActive(request, grantTime(db, now))
          ? { key: 'refusal.expired', values: { id, until: request.validUntil ?? '' } }
          : !makerUser
            ? { key: 'refusal.noUser', values: { name: maker } }
            : (refusesExport(makerUser, request) ?? unrecordedGrant(db, request));
  const recordings = refusal ? [] : originalsOf(db, request.recordingIds);
  const missing = recordings.filter((recording) => !recording.archivePath);
  const reason: Refusal | null =
    refusal ??
    (missing.length
      ? {
          key: 'refusal.notArchived',
          values: { ids: missing.map((recording) => `#${recording.id}`).join(', ') },
        }
      : null);
  if (reason) {
    appendAudit(
      db,
      {
        actor: maker,
        action: 'access-refused',
        subjectType: 'access-request',
        subjectId: request.id,
        detail: { export: true, reason: englishText(reason) },
      },
      now,
    );
    throw new AccessRefused(reason);
  }
  const outDir = path.resolve(input.outDir);
  await ensureEmptyFolder(outDir);
  try {
    const files = await copyAll(deps, recordings, outDir);
    const manifest = path.join(outDir, manifestName);
    await writeFile(manifest, files.map((file) => `${file.sha256}  ${file.name}\n`).join(''));
    const facts: StatementFacts = {
      language: deps.config.station.language,
      zone: deps.config.station.timezone,
      unit: deps.config.station.name,
      // The person who signs the sheet, by name; the login beside it ties the sheet to the audit log.
      maker: makerUser!.realName ? `${makerUser!.realName}（${maker}）` : maker,
      madeAt: now,
      request,
      files,
    };
    await writeFile(path.join(outDir, 'statement.txt'), statementText(facts));
    await writeFile(path.join(outDir, 'statement.html'), statementHtml(facts));
    const iso = path.join(outDir, isoName);
    await makeIso(outDir, iso, `BWC_EXPORT_${request.id}`);
    await checkIso(iso, files);
    const result: EvidenceExport = {
      requestId: request.id,
      outDir,
      files: files.map((file) => ({
        recordingId: file.recording.id,
        name: file.name,
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
      })),
      manifest,
      statements: [path.join(outDir, 'statement.txt'), path.join(outDir, 'statement.html')],
      iso: { name: isoName, sha256: await hashFile(iso), sizeBytes: (await stat(iso)).size },
      thirdPartyReview: request.thirdPartyReview,
    };
    // One entry per recording, so each recording's own trail shows the copy, and one for the package.
    db.transaction(() => {
      for (const file of result.files) {
        appendAudit(
          db,
          {
            actor: maker,
            action: 'export',
            subjectType: 'recording',
            subjectId: file.recordingId,
            detail: { requestId: request.id, outDir, name: file.name, sha256: file.sha256 },
          },
          now,
        );
      }
      appendAudit(
        db,
        {
          actor: maker,
          action: 'export',
          subjectType: 'access-request',
          subjectId: request.id,
          detail: { outDir, files: result.files, iso: result.iso },
        },
        now,
      );
    }).immediate();
    return result;
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

/** An export as the audit log recorded it, and whether its folder was removed when the grant ended. */
export interface RecordedExport {
  requestId: number;
  /** The folder's own name (`3-20261127-051500`), which pages and links use. */
  folder: string;
  outDir: string;
  at: string;
  by: string;
  files: number;
  iso: { sha256: string; sizeBytes: number };
  removedAt: string | null;
}

/** Every export the audit log recorded, newest first; of one request when `requestId` is given. */
export function recordedExports(db: Db, requestId?: number): RecordedExport[] {
  const rows = db
    .prepare(
      `SELECT subject_id, at, actor, action, detail FROM audit_log
       WHERE action IN ('export', 'export-removed') AND subject_type = 'access-request'
       ${requestId === undefined ? '' : 'AND subject_id = ?'} ORDER BY id`,
    )
    .all(...(requestId === undefined ? [] : [String(requestId)])) as {
    subject_id: string;
    at: string;
    actor: string;
    action: string;
    detail: string;
  }[];
  const byFolder = new Map<string, RecordedExport>();
  for (const row of rows) {
    const detail = JSON.parse(row.detail) as {
      outDir: string;
      files?: unknown[];
      iso?: { sha256: string; sizeBytes: number };
    };
    if (row.action === 'export')
      byFolder.set(detail.outDir, {
        requestId: Number(row.subject_id),
        folder: path.basename(detail.outDir),
        outDir: detail.outDir,
        at: row.at,
        by: row.actor,
        files: detail.files?.length ?? 0,
        iso: detail.iso ?? { sha256: '', sizeBytes: 0 },
        removedAt: null,
      });
    else {
      const made = byFolder.get(detail.outDir);
      if (made) made.removedAt = row.at;
    }
  }
  return [...byFolder.values()].reverse();
}

/** A grant changed in the database file after its entries were written is no grant. */
function unrecordedGrant(db: Db, request: AccessRequest): Refusal | null {
  const problem = grantProblem(db, request);
  return problem ? { key: 'refusal.grantMismatch', values: { id: request.id, problem } } : null;
}

// A duplicate's content is its original's file; the statement still names the recording asked for.
function originalsOf(db: Db, recordingIds: number[]): Recording[] {
  return recordingIds.map((id) => {
    const recording = findRecording(db, id);
    if (!recording) throw new AccessRequestError({ key: 'error.noRecording', values: { id } });
    const original = recording.duplicateOf ? findRecording(db, recording.duplicateOf) : null;
    return original ? { ...recording, archivePath: original.archivePath } : recording;
  });
}

async function ensureEmptyFolder(folder: string): Promise<void> {
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0)
    throw new AccessRequestError({ key: 'access.error.folderNotEmpty', values: { folder } });
  // Private to the station's account, like the rest of its home (see config/private-home.ts).
  // The last levels without `recursive`: Node reports a read-only disk as ENOENT when it recurses.
  await mkdir(path.dirname(folder), { recursive: true });
  await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await mkdir(path.join(folder, 'files'), { mode: 0o700 });
}

async function copyAll(deps: ExportDeps, recordings: Recording[], outDir: string): Promise<ExportedFile[]> {
  const files: ExportedFile[] = [];
  // A recording whose local copy was evicted is fetched from the district bucket and checked first.
  const reader = new FootageReader(deps);
  for (const recording of recordings) {
    const name = `files/${recording.id}-${path.basename(recording.archivePath!)}`;
    const destination = path.join(outDir, name);
    const source = await reader.localFile({
      id: recording.duplicateOf ?? recording.id,
      archivePath: recording.archivePath!,
      sha256: recording.sha256,
    });
    const copy = await copyWithHash(source.file, destination, {
      chunkBytes: deps.config.ingest.copyChunkBytes,
    }).finally(source.release);
    if (copy.sha256 !== recording.sha256) {
      throw new ExportFailed({ key: 'export.failed.archiveChanged', values: { id: recording.id } });
    }
    await syncFile(destination);
    const readBack = await hashFile(destination);
    if (readBack !== recording.sha256)
      throw new ExportFailed({ key: 'export.failed.copyDiffers', values: { id: recording.id } });
    await chmod(destination, 0o444);
    files.push({ recording, name, sha256: readBack, sizeBytes: copy.bytes });
  }
  reader.close();
  return files;
}

// Rock Ridge and Joliet keep long and Chinese file names; level 3 allows files over 4 GiB.
async function makeIso(outDir: string, iso: string, label: string): Promise<void> {
  const contents = (await readdir(outDir)).filter((name) => name !== isoName);
  await run(
    'xorriso',
    [
      '-as',
      'mkisofs',
      '-quiet',
      '-iso-level',
      '3',
      '-J',
      '-joliet-long',
      '-R',
      '-V',
      label.slice(0, 32),
      '-o',
      iso,
      '-graft-points',
      ...contents.map((name) => `/${name}=${path.join(outDir, name)}`),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
}

/** The disc image is a copy too: each file read back out of it must carry its original's hash. */
async function checkIso(iso: string, files: ExportedFile[]): Promise<void> {
  const folder = await mkdtemp(path.join(path.dirname(iso), '.iso-check-'));
  try {
    await run(
      'xorriso',
      ['-osirrox', 'on', '-indev', iso, '-extract', '/files', path.join(folder, 'files')],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    for (const file of files) {
      const fromDisc = await hashFile(path.join(folder, file.name)).catch(() => null);
      if (fromDisc !== file.sha256)
        throw new ExportFailed({ key: 'export.failed.discDiffers', values: { file: file.name } });
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
