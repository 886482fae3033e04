import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { makeSampleRecorder, type SampleRecorder } from '../footage/generate.ts';
import { writeSimulatedState } from './simulated-driver.ts';

export interface SimulatedRecorderOptions {
  serial: string;
  badge: string;
  /** When the officer really started filming. */
  start: Date;
  segments: number;
  segmentSeconds: number;
  gapSeconds?: number[];
  /** How far the recorder's clock is off; its names and file times carry the error. */
  clockOffsetSeconds: number;
  timezone: string;
  batteryPercent?: number;
  width?: number;
  height?: number;
}

/**
 * A recorder volume with real footage and the simulated driver's marker, written where it is, for
 * tests and benchmarks that mount it or copy it onto an image.
 */
export async function writeSimulatedRecorder(
  root: string,
  options: SimulatedRecorderOptions,
): Promise<SampleRecorder> {
  const recorder = await makeSampleRecorder(root, {
    serial: options.serial,
    badge: options.badge,
    start: new Date(options.start.getTime() + options.clockOffsetSeconds * 1000),
    segments: options.segments,
    segmentSeconds: options.segmentSeconds,
    gapSeconds: options.gapSeconds,
    timezone: options.timezone,
    video: { width: options.width ?? 320, height: options.height ?? 240 },
  });
  await writeSimulatedState(root, {
    serial: options.serial,
    badge: options.badge,
    model: 'DSJ-SIM',
    clockOffsetSeconds: options.clockOffsetSeconds,
    batteryPercent: options.batteryPercent ?? 80,
  });
  return recorder;
}

/**
 * Docks a simulated recorder into a station's folder dock: written under a dot-name the watcher
 * ignores, then renamed into place, so the station never sees a half-written recorder.
 */
export async function dockSimulatedRecorder(
  folderRoot: string,
  name: string,
  options: SimulatedRecorderOptions,
): Promise<string> {
  await mkdir(folderRoot, { recursive: true });
  const preparing = path.join(folderRoot, `.preparing-${name}`);
  const root = path.join(folderRoot, name);
  await rm(preparing, { recursive: true, force: true });
  await writeSimulatedRecorder(preparing, options);
  await rename(preparing, root);
  return root;
}
