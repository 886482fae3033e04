import { statfs } from 'node:fs/promises';
import type { DockedVolume, RecorderCapabilities } from '../drivers/driver.ts';

// Art. 17: at every dock the station looks at the recorder's clock, storage and battery.

export interface StorageReading {
  freeBytes: number;
  totalBytes: number;
  freePercent: number;
}

export async function readStorage(root: string): Promise<StorageReading | null> {
  try {
    const stats = await statfs(root);
    const totalBytes = stats.blocks * stats.bsize;
    const freeBytes = stats.bavail * stats.bsize;
    return { freeBytes, totalBytes, freePercent: totalBytes ? (freeBytes / totalBytes) * 100 : 0 };
  } catch {
    return null;
  }
}

export interface ClockReading {
  /** Recorder clock minus station clock, whole seconds; null where the driver cannot read it. */
  offsetSeconds: number | null;
  /** The recorder's clock was set to the station's after reading it. */
  set: boolean;
}

/**
 * Reads the recorder's clock and, when allowed and off by more than the tolerance, sets it. The offset
 * measured before setting is the one its recordings were made with, so that is what is returned.
 */
export async function checkClock(
  capabilities: RecorderCapabilities | undefined,
  volume: DockedVolume,
  options: { now: () => Date; setClock: boolean; toleranceSeconds: number },
): Promise<ClockReading> {
  if (!capabilities?.readClock) return { offsetSeconds: null, set: false };
  const recorderTime = await capabilities.readClock(volume);
  const offsetSeconds = Math.round((recorderTime.getTime() - options.now().getTime()) / 1000);
  const wrong = Math.abs(offsetSeconds) > options.toleranceSeconds;
  if (!options.setClock || !wrong || !capabilities.setClock) return { offsetSeconds, set: false };
  await capabilities.setClock(volume, options.now());
  return { offsetSeconds, set: true };
}

export async function readBattery(
  capabilities: RecorderCapabilities | undefined,
  volume: DockedVolume,
): Promise<number | null> {
  if (!capabilities?.readBatteryPercent) return null;
  return capabilities.readBatteryPercent(volume).catch(() => null);
}
