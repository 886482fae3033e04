// What a file on a recorder holds, judged by its extension. The station copies only these kinds;
// anything else on the volume (logs, firmware, settings) is reported by the caller, not archived.

export type MediaKind = 'video' | 'audio' | 'photo';

const kindByExtension: ReadonlyMap<string, MediaKind> = new Map([
  ...['mp4', 'mov', 'avi', 'ts', 'mts', 'm2ts', '3gp', 'mkv'].map(
    (extension) => [extension, 'video'] as const,
  ),
  ...['wav', 'mp3', 'aac', 'm4a', 'amr'].map((extension) => [extension, 'audio'] as const),
  ...['jpg', 'jpeg'].map((extension) => [extension, 'photo'] as const),
]);

/** The media kind of a file name (or path) by its extension, case-insensitive; null for anything else. */
export function mediaKindOf(fileName: string): MediaKind | null {
  const baseName = fileName.split(/[\\/]/).pop() ?? '';
  const dot = baseName.lastIndexOf('.');
  // A leading dot is a hidden file with no extension (".mp4" alone is not a recording).
  if (dot <= 0) return null;
  return kindByExtension.get(baseName.slice(dot + 1).toLowerCase()) ?? null;
}
