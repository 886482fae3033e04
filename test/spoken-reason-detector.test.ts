import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Background, makeSpokenFootage, reasonText } from '../src/footage/spoken-footage.ts';
import { decodeWindows } from '../src/media/audio-window.ts';
import { detectSpeech, type SpeechAnalysis } from '../src/media/speech-detector.ts';

// Real footage made with ffmpeg whose sound is real Mandarin speech (espeak-ng) mixed over silence,
// pink noise, a steady tone and tone sweeps, at different offsets and loudness, against the same
// backgrounds alone and a video with no sound track.

let folder: string;
const file = (name: string) => path.join(folder, name);

async function hear(name: string, windowSeconds = 30): Promise<SpeechAnalysis> {
  return detectSpeech(file(name), {
    windowSeconds,
    minSpeechSeconds: 1.5,
    timeoutMs: 60_000,
  });
}

const spoken = [
  { name: 'silence-at-3s.mp4', background: 'silence', offsetSeconds: 3, gainDb: 0 },
  { name: 'quiet-over-silence-at-1s.mp4', background: 'silence', offsetSeconds: 1, gainDb: -25 },
  { name: 'pink-noise-at-12s.mp4', background: 'pink-noise', offsetSeconds: 12, gainDb: -6 },
  { name: 'tone-at-0s.mp4', background: 'tone', offsetSeconds: 0, gainDb: -3 },
  { name: 'sweeps-at-6s.mp4', background: 'sweeps', offsetSeconds: 6, gainDb: 0 },
] as const;
const backgrounds: Background[] = ['silence', 'pink-noise', 'tone', 'sweeps'];

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'bwc-speech-'));
  for (const clip of spoken) {
    await makeSpokenFootage(file(clip.name), {
      seconds: 20,
      background: clip.background,
      speech: { text: reasonText, offsetSeconds: clip.offsetSeconds, gainDb: clip.gainDb },
    });
  }
  for (const background of backgrounds)
    await makeSpokenFootage(file(`${background}.mp4`), { seconds: 20, background });
  await makeSpokenFootage(file('late-speech.mp4'), {
    seconds: 20,
    background: 'pink-noise',
    speech: { text: reasonText, offsetSeconds: 11, gainDb: -6 },
  });
  await makeSpokenFootage(file('no-sound.mp4'), { seconds: 4, background: 'silence', audio: false });
  await makeSpokenFootage(file('voice.wav'), {
    seconds: 12,
    background: 'silence',
    video: false,
    speech: { text: reasonText, offsetSeconds: 2, gainDb: 0 },
  });
});

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the speech detector', () => {
  it.each(spoken)('hears speech in $name from where it starts', async (clip) => {
    const heard = await hear(clip.name);
    expect(heard.verdict).toBe('detected');
    expect(heard.speechStartSeconds).toBeGreaterThanOrEqual(clip.offsetSeconds - 0.1);
    expect(heard.speechStartSeconds).toBeLessThanOrEqual(clip.offsetSeconds + 0.6);
    // espeak-ng reads the sentence in 12.5 s, cut where the 20 s footage ends; no more is counted.
    expect(heard.speechSeconds).toBeGreaterThan(0.6 * Math.min(12.5, 20 - clip.offsetSeconds));
    expect(heard.speechSeconds).toBeLessThanOrEqual(Math.min(12.8, 20 - clip.offsetSeconds));
  });

  it.each(backgrounds)('hears no speech in %s alone', async (background) => {
    const heard = await hear(`${background}.mp4`);
    expect(heard).toMatchObject({ verdict: 'absent', speechStartSeconds: null, speechSeconds: 0 });
    expect(heard.analysedSeconds).toBeCloseTo(20, 0);
  });

  it('listens only to the window: speech after it does not count', async () => {
    expect(await hear('late-speech.mp4', 10)).toMatchObject({ verdict: 'absent', analysedSeconds: 10 });
    expect((await hear('late-speech.mp4', 30)).verdict).toBe('detected');
  });

  it('calls a video without a sound track no-audio', async () => {
    expect(await hear('no-sound.mp4')).toMatchObject({ verdict: 'no-audio', speechSeconds: 0 });
  });

  it('hears speech in an audio-only recording too', async () => {
    const heard = await hear('voice.wav');
    expect(heard.verdict).toBe('detected');
    expect(heard.speechStartSeconds).toBeCloseTo(2, 0);
  });

  it('needs the configured amount of speech, not any sound at all', async () => {
    const strict = await detectSpeech(file('silence-at-3s.mp4'), {
      windowSeconds: 30,
      minSpeechSeconds: 15,
      timeoutMs: 60_000,
    });
    expect(strict.verdict).toBe('absent');
    expect(strict.speechSeconds).toBeGreaterThan(3);
  });

  it('decodes several files in one run, where a file without sound or a broken one answers for itself alone', async () => {
    await writeFile(file('broken.mp4'), 'not a recording');
    const names = ['silence-at-3s.mp4', 'no-sound.mp4', 'broken.mp4', 'pink-noise.mp4'];
    const windows = await decodeWindows(names.map(file), 30, 60_000);
    const [alone] = await decodeWindows([file('silence-at-3s.mp4')], 30, 60_000);
    expect(windows[0]).toEqual(alone);
    expect(windows[1]).toBe('no-audio');
    expect(windows[2]).toBeInstanceOf(Error);
    expect((windows[3] as Int16Array).length / 16000).toBeCloseTo(20, 0);
  });
});
