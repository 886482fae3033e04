import path from 'node:path';
import { type DerivedClip, writeDerivedClip } from '../archive/derived-clips.ts';
import type { StationConfig } from '../config/config.ts';
import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import { findRecording } from '../ledger/recordings.ts';
import { type AudioWindow, decodeWindows, sampleRate } from '../media/audio-window.ts';
import {
  judgeSpeech,
  type SpeechAnalysis,
  samplesBetween,
  silentAnalysis,
} from '../media/speech-detector.ts';
import { encodeWav } from '../media/wav.ts';

// Art. 18: on resuming, the officer states aloud why recording stopped. For each interruption the
// first seconds of the segment after the gap are listened to (src/media/speech-detector.ts); where
// someone speaks, that span is cut as a derived audio clip the clerk can play in one click, and
// where nobody does, that is a finding. No row yet means the segment is still waiting: `pending`.

export type SpokenReasonState = 'detected' | 'absent' | 'no-audio' | 'pending' | 'failed';

export interface SpokenReason {
  state: SpokenReasonState;
  /** From the start of the resumed segment. */
  speechStartSeconds: number | null;
  speechSeconds: number | null;
  clipSha256: string | null;
}

export interface SpokenReasonDetail extends SpokenReason {
  interruptionId: number;
  recordingId: number | null;
  windowSeconds: number | null;
  clipPath: string | null;
  /** Where the clip starts in the resumed segment, and how long it is. */
  clipStartSeconds: number | null;
  clipSeconds: number | null;
  error: string | null;
  analysedAt: string | null;
}

/** Clip margins around the speech heard, so the first and last syllables are not clipped. */
const clipMarginSeconds = 0.5;
/** A segment whose analysis failed this often is left `failed` for a person to look at. */
const maxAttempts = 3;

const selectDetail = `SELECT s.interruption_id AS interruptionId, s.recording_id AS recordingId, s.state,
  s.window_seconds AS windowSeconds, s.speech_start_seconds AS speechStartSeconds, s.speech_seconds AS speechSeconds,
  s.clip_path AS clipPath, s.clip_start_seconds AS clipStartSeconds, s.clip_seconds AS clipSeconds,
  s.clip_sha256 AS clipSha256, s.error, s.analysed_at AS analysedAt FROM spoken_reasons s`;

export function spokenReasonDetail(db: Db, interruptionId: number): SpokenReasonDetail {
  const row = db.prepare(`${selectDetail} WHERE s.interruption_id = ?`).get(interruptionId) as
    | SpokenReasonDetail
    | undefined;
  return (
    row ?? {
      interruptionId,
      recordingId: null,
      state: 'pending',
      windowSeconds: null,
      speechStartSeconds: null,
      speechSeconds: null,
      clipPath: null,
      clipStartSeconds: null,
      clipSeconds: null,
      clipSha256: null,
      error: null,
      analysedAt: null,
    }
  );
}

/** The machine-readable summary (`station interruptions list --json`). */
export function spokenReasonOf(db: Db, interruptionId: number): SpokenReason {
  const { state, speechStartSeconds, speechSeconds, clipSha256 } = spokenReasonDetail(db, interruptionId);
  return { state, speechStartSeconds, speechSeconds, clipSha256 };
}

export interface AwaitingSpokenReason {
  interruptionId: number;
  /** The archived segment listened to: the resumed one, or the original of a re-docked duplicate. */
  recordingId: number;
}

/** Interruptions still to be listened to, whose resumed segment is archived and its playback checked. */
export function interruptionsAwaitingSpokenReason(db: Db, afterRecordingId?: number): AwaitingSpokenReason[] {
  return db
    .prepare(
      `SELECT i.id AS interruptionId, COALESCE(o.id, r.id) AS recordingId
       FROM interruptions i JOIN recordings r ON r.id = i.after_recording_id
       LEFT JOIN recordings o ON o.id = r.duplicate_of
       LEFT JOIN spoken_reasons s ON s.interruption_id = i.id
       WHERE (s.interruption_id IS NULL OR (s.state = 'failed' AND s.attempts < ${maxAttempts}))
         AND COALESCE(o.probed_at, r.probed_at) IS NOT NULL AND (? IS NULL OR i.after_recording_id = ?)
       ORDER BY i.id`,
    )
    .all(afterRecordingId ?? null, afterRecordingId ?? null) as AwaitingSpokenReason[];
}

export interface AnalyseDeps {
  db: Db;
  archiveRoot: string;
  config: Pick<StationConfig, 'interruptions' | 'ingest'>;
  now: () => Date;
}

/**
 * The sound the playback checks decoded, by interruption. Each window is read into memory only when
 * its interruption is judged, so a batch holds one at a time, not eight.
 */
export interface HeardSound {
  has(interruptionId: number): boolean;
  /** Undefined when it went meanwhile (the folder's budget): then it is decoded again. */
  take(interruptionId: number): AudioWindow | undefined;
}

const nothingHeard: HeardSound = { has: () => false, take: () => undefined };

/**
 * Listens to the resumed segments of some interruptions and records what was heard. The sound the
 * playback check handed over (`heard`) is judged as it is; the rest is decoded, all in one ffmpeg
 * run. A failure to run (the file unreadable, ffmpeg gone) is recorded as `failed` for that
 * interruption and retried at the next starts.
 */
export async function analyseSpokenReasons(
  deps: AnalyseDeps,
  interruptionIds: number[],
  heard: HeardSound = nothingHeard,
): Promise<SpokenReasonDetail[]> {
  const { db, config } = deps;
  const windowSeconds = config.interruptions.spokenReasonSeconds;
  const timeoutMs = config.ingest.decodeTimeoutSeconds * 1000;
  const decode = (files: string[]) =>
    decodeWindows(files, windowSeconds, timeoutMs).catch((error: Error) => files.map(() => error));
  const targets = interruptionIds.map((interruptionId) => resumedSegment(deps, interruptionId));
  const listenable = targets.filter((target) => target.file !== null);
  const handedOver = new Set(listenable.filter((target) => heard.has(target.interruptionId)));
  const toDecode = listenable.filter((target) => !handedOver.has(target));
  const windows = await decode(toDecode.map((target) => target.file!));
  const decoded = new Map(toDecode.map((target, position) => [target, windows[position]]));
  for (const target of targets) {
    const { interruptionId, recordingId } = target;
    try {
      const window =
        target.problem ??
        (handedOver.has(target)
          ? (heard.take(interruptionId) ?? (await decode([target.file!]))[0])
          : decoded.get(target)) ??
        new Error('not decoded');
      if (window instanceof Error) throw window;
      const speech =
        window === 'no-audio'
          ? silentAnalysis
          : await judgeSpeech(window, config.interruptions.spokenReasonMinSpeechSeconds);
      const clip =
        window !== 'no-audio' && speech.verdict === 'detected'
          ? await writeSpeechClip(deps, interruptionId, window, speech)
          : null;
      record(deps, { interruptionId, recordingId, windowSeconds, heard: speech, clip });
    } catch (error) {
      recordFailure(deps, interruptionId, recordingId, windowSeconds, error as Error);
    }
  }
  return interruptionIds.map((interruptionId) => spokenReasonDetail(db, interruptionId));
}

interface ResumedSegment {
  interruptionId: number;
  /** The archived original (a re-docked duplicate is listened to through it). */
  recordingId: number;
  file: string | null;
  problem: Error | null;
}

function resumedSegment(deps: AnalyseDeps, interruptionId: number): ResumedSegment {
  const interruption = deps.db
    .prepare('SELECT after_recording_id AS recordingId FROM interruptions WHERE id = ?')
    .get(interruptionId) as { recordingId: number } | undefined;
  if (!interruption) throw new Error(`no interruption #${interruptionId}`);
  const recording = findRecording(deps.db, interruption.recordingId);
  const original = recording?.duplicateOf ? findRecording(deps.db, recording.duplicateOf) : recording;
  if (!original?.archivePath) {
    return {
      interruptionId,
      recordingId: original?.id ?? interruption.recordingId,
      file: null,
      problem: new Error(`recording #${interruption.recordingId} is not in the archive`),
    };
  }
  return {
    interruptionId,
    recordingId: original.id,
    file: path.join(deps.archiveRoot, original.archivePath),
    problem: null,
  };
}

interface Clip extends DerivedClip {
  startSeconds: number;
  seconds: number;
}

/** The span heard, cut from the samples the detector judged: no second decoding of the footage. */
async function writeSpeechClip(
  deps: AnalyseDeps,
  interruptionId: number,
  samples: Int16Array,
  heard: SpeechAnalysis,
): Promise<Clip> {
  const first = heard.regions[0].startSeconds;
  const last = heard.regions.at(-1)!.endSeconds;
  const startSeconds = round(Math.max(0, first - clipMarginSeconds));
  const seconds = round(Math.min(heard.analysedSeconds, last + clipMarginSeconds) - startSeconds);
  const clip = await writeDerivedClip({
    archiveRoot: deps.archiveRoot,
    kind: 'spoken-reason',
    stem: `interruption-${interruptionId}`,
    extension: 'wav',
    bytes: encodeWav(samplesBetween(samples, startSeconds, seconds), sampleRate),
  });
  return { ...clip, startSeconds, seconds };
}

function record(
  deps: AnalyseDeps,
  result: {
    interruptionId: number;
    recordingId: number;
    windowSeconds: number;
    heard: SpeechAnalysis;
    clip: Clip | null;
  },
): void {
  const { db } = deps;
  const { heard, clip } = result;
  const now = deps.now();
  db.transaction(() => {
    db.prepare(
      `INSERT INTO spoken_reasons (interruption_id, recording_id, state, window_seconds, analysed_seconds,
         speech_start_seconds, speech_seconds, clip_path, clip_start_seconds, clip_seconds, clip_sha256, clip_bytes,
         error, attempts, analysed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?)
       ON CONFLICT (interruption_id) DO UPDATE SET recording_id = excluded.recording_id, state = excluded.state,
         window_seconds = excluded.window_seconds, analysed_seconds = excluded.analysed_seconds,
         speech_start_seconds = excluded.speech_start_seconds, speech_seconds = excluded.speech_seconds,
         clip_path = excluded.clip_path, clip_start_seconds = excluded.clip_start_seconds,
         clip_seconds = excluded.clip_seconds, clip_sha256 = excluded.clip_sha256, clip_bytes = excluded.clip_bytes,
         error = NULL, attempts = attempts + 1, analysed_at = excluded.analysed_at`,
    ).run(
      result.interruptionId,
      result.recordingId,
      heard.verdict,
      result.windowSeconds,
      heard.analysedSeconds,
      heard.speechStartSeconds,
      heard.verdict === 'no-audio' ? null : heard.speechSeconds,
      clip?.clipPath ?? null,
      clip?.startSeconds ?? null,
      clip?.seconds ?? null,
      clip?.sha256 ?? null,
      clip?.bytes ?? null,
      now.toISOString(),
    );
    appendAudit(
      db,
      {
        actor: 'station',
        action: 'spoken-reason',
        subjectType: 'interruption',
        subjectId: result.interruptionId,
        detail: {
          recordingId: result.recordingId,
          state: heard.verdict,
          windowSeconds: result.windowSeconds,
          speechStartSeconds: heard.speechStartSeconds,
          speechSeconds: heard.speechSeconds,
          ...(clip && {
            clipPath: clip.clipPath,
            clipSha256: clip.sha256,
            clipBytes: clip.bytes,
            clipStartSeconds: clip.startSeconds,
            clipSeconds: clip.seconds,
          }),
        },
      },
      now,
    );
  }).immediate();
}

function recordFailure(
  deps: AnalyseDeps,
  interruptionId: number,
  recordingId: number,
  windowSeconds: number,
  error: Error,
): void {
  deps.db
    .prepare(
      `INSERT INTO spoken_reasons (interruption_id, recording_id, state, window_seconds, error, attempts, analysed_at)
       VALUES (?, ?, 'failed', ?, ?, 1, ?)
       ON CONFLICT (interruption_id) DO UPDATE SET state = 'failed', error = excluded.error,
         attempts = attempts + 1, analysed_at = excluded.analysed_at`,
    )
    .run(interruptionId, recordingId, windowSeconds, error.message.slice(0, 500), deps.now().toISOString());
}

export interface SilentResumption {
  id: number;
  badge: string | null;
  deviceSerial: string | null;
  gapStart: string;
  gapEnd: string;
  activityKinds: string[];
  analysedAt: string;
}

/** Art. 18, 20: open interruptions in an art. 20 activity whose resumed segment starts without speech. */
export function silentResumptionsInActivities(db: Db): SilentResumption[] {
  const rows = db
    .prepare(
      `SELECT i.id, i.badge, d.serial AS deviceSerial, i.gap_start AS gapStart, i.gap_end AS gapEnd,
         s.analysed_at AS analysedAt,
         (SELECT json_group_array(DISTINCT t.kind) FROM activity_tags t
            WHERE t.recording_id IN (i.before_recording_id, i.after_recording_id)) AS activityKinds
       FROM spoken_reasons s JOIN interruptions i ON i.id = s.interruption_id
       LEFT JOIN devices d ON d.id = i.device_id
       WHERE s.state = 'absent' AND i.accepted_at IS NULL
         AND EXISTS (SELECT 1 FROM activity_tags t WHERE t.recording_id IN (i.before_recording_id, i.after_recording_id))
       ORDER BY i.gap_start, i.id`,
    )
    .all() as (Omit<SilentResumption, 'activityKinds'> & { activityKinds: string })[];
  return rows.map((row) => ({ ...row, activityKinds: JSON.parse(row.activityKinds) }));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
