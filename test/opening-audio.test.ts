// The sound the playback check hands over waits on disk, not in the daemon's memory (#14: 8 docks).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpeningAudio } from '../src/media/audio-window.ts';

const folders: string[] = [];
const parent = () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'bwc-opening-audio-'));
  folders.push(folder);
  return path.join(folder, 'opening-audio');
};
const samples = (count: number, value: number) => new Int16Array(count).fill(value);

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('OpeningAudio', () => {
  it('hands a window over once, as it was kept, from a file of its own process', () => {
    const where = parent();
    const audio = new OpeningAudio(where);
    writeFileSync(audio.fileFor(7), samples(48_000, -1234));
    audio.keep(7, 'written');
    audio.keep(8, 'no-audio');
    expect(readdirSync(path.join(where, String(process.pid)))).toEqual(['7.s16']);
    const window = audio.take(7);
    expect(window).toBeInstanceOf(Int16Array);
    expect((window as Int16Array).length).toBe(48_000);
    expect((window as Int16Array).every((sample) => sample === -1234)).toBe(true);
    expect(audio.take(7)).toBeUndefined();
    expect(audio.take(8)).toBe('no-audio');
    expect(readdirSync(path.join(where, String(process.pid)))).toEqual([]);
  });

  it('adopts what ffmpeg wrote to its file, and drops a file with no sound in it', () => {
    const audio = new OpeningAudio(parent());
    writeFileSync(audio.fileFor(5), samples(16_000, 9));
    audio.keep(5, 'written');
    writeFileSync(audio.fileFor(6), Buffer.alloc(10));
    audio.keep(6, 'written');
    expect(existsSync(audio.fileFor(6))).toBe(false);
    expect(audio.take(6)).toBeUndefined();
    expect((audio.take(5) as Int16Array).length).toBe(16_000);
  });

  it('lets the oldest go past its budget, and forgets on request', () => {
    const audio = new OpeningAudio(parent(), 3 * 2000);
    for (const id of [1, 2, 3, 4]) {
      writeFileSync(audio.fileFor(id), samples(1000, id));
      audio.keep(id, 'written');
    }
    expect(audio.take(1)).toBeUndefined();
    expect((audio.take(2) as Int16Array)[0]).toBe(2);
    audio.forget([3]);
    expect(audio.take(3)).toBeUndefined();
    expect((audio.take(4) as Int16Array)[999]).toBe(4);
  });

  it('clears what a dead process left at start, and leaves a running one’s alone', () => {
    const where = parent();
    mkdirSync(path.join(where, '999999999'), { recursive: true });
    writeFileSync(path.join(where, '999999999', '1.s16'), Buffer.alloc(64));
    mkdirSync(path.join(where, String(process.ppid)), { recursive: true });
    new OpeningAudio(where);
    expect(existsSync(path.join(where, '999999999'))).toBe(false);
    expect(existsSync(path.join(where, String(process.ppid)))).toBe(true);
  });
});
