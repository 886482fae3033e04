import type { Recording } from './recordings.ts';

// What a person is told about whether a recording plays back: the machine's check, overruled by the
// clerk who watched it (art. 23). Every page, export, CLI table, JSON answer and statistic reads this,
// so a recording the clerk marked as not playing never shows as 正常 anywhere.

export const playbackStatuses = ['pending', 'ok', 'damaged', 'unplayable', 'not-playing'] as const;
export type PlaybackStatusShown = (typeof playbackStatuses)[number];

/** Statuses that mean the footage cannot serve as evidence as it is: counted as damaged in statistics. */
export const badPlaybackStatuses: readonly PlaybackStatusShown[] = ['damaged', 'unplayable', 'not-playing'];

export function playbackStatus(recording: Pick<Recording, 'playback' | 'notPlayingAt'>): PlaybackStatusShown {
  return recording.notPlayingAt ? 'not-playing' : recording.playback;
}

/** The same, as SQL over `recordings r`. */
export const playbackStatusSql =
  "CASE WHEN r.not_playing_at IS NOT NULL THEN 'not-playing' ELSE r.playback END";
