// Footage whose sound track holds real Mandarin speech (Debian's espeak-ng, voice cmn) over a chosen
// background, for the tests and the bench of the spoken-reason check (art. 18). Like generate.ts,
// nothing here is used by the station itself.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runFfmpeg } from '../media/ffmpeg-run.ts';

const run = promisify(execFile);

/**
 * What the microphone hears besides the officer: nothing, street-like pink noise, the steady tone the
 * other test footage carries, or music-like sweeps (gliding tones with harmonics, and rising chirps).
 */
export type Background = 'silence' | 'pink-noise' | 'tone' | 'sweeps';

export interface SpokenFootageOptions {
  seconds: number;
  background: Background;
  /** The officer's words; omitted, the footage holds only the background. */
  speech?: { text: string; offsetSeconds: number; gainDb: number };
  /** A video picture (low resolution); false makes an audio-only .wav. Default true. */
  video?: boolean;
  /** Default true; false makes a video without any audio stream. */
  audio?: boolean;
  /** Picture size and rate, default 160x120 at 10 fps (tests); the bench asks for recorder-like footage. */
  picture?: { width: number; height: number; fps: number; bitrateKbps?: number };
}

export const reasonText = '报告，记录仪电量不足，录像中断了两分钟，现在恢复录像。';

const backgroundSources: Record<Background, (seconds: number) => string> = {
  silence: (seconds) => `anullsrc=r=48000:cl=mono,atrim=duration=${seconds}`,
  'pink-noise': (seconds) => `anoisesrc=color=pink:sample_rate=48000:amplitude=0.1:duration=${seconds}`,
  tone: (seconds) => `sine=frequency=1000:sample_rate=48000:duration=${seconds}`,
  // A glide 50-550 Hz with two harmonics, then a chirp rising 200-2000 Hz every 2 s.
  sweeps: (seconds) =>
    `aevalsrc='if(lt(mod(t,8),4),0.3*sin(2*PI*(300*t-250/PI*cos(PI*t)))+0.15*sin(4*PI*(300*t-250/PI*cos(PI*t)))+0.08*sin(6*PI*(300*t-250/PI*cos(PI*t))),0.4*sin(2*PI*(200*t+450*mod(t,2)*mod(t,2))))':s=48000:d=${seconds}`,
};

/** Writes espeak-ng's Mandarin reading of `text` as a WAV file. */
export async function speak(text: string, file: string): Promise<void> {
  try {
    await run('espeak-ng', ['-v', 'cmn', '-s', '150', '-w', file, text]);
  } catch (error) {
    throw new Error(`espeak-ng could not speak (install Debian's espeak-ng): ${(error as Error).message}`);
  }
}

export async function makeSpokenFootage(path: string, options: SpokenFootageOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'spoken-'));
  try {
    const withVideo = options.video ?? true;
    const withAudio = options.audio ?? true;
    const args = ['-v', 'error', '-y'];
    const picture = options.picture ?? { width: 160, height: 120, fps: 10 };
    if (withVideo) {
      const size = `${picture.width}x${picture.height}`;
      args.push('-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${picture.fps}:duration=${options.seconds}`);
    }
    if (withAudio) {
      const audioInput = withVideo ? 1 : 0;
      args.push('-f', 'lavfi', '-i', backgroundSources[options.background](options.seconds));
      if (options.speech) {
        const voice = join(scratch, 'voice.wav');
        await speak(options.speech.text, voice);
        args.push('-i', voice);
        const delayMs = Math.round(options.speech.offsetSeconds * 1000);
        args.push(
          '-filter_complex',
          `[${audioInput + 1}:a]aresample=48000,volume=${options.speech.gainDb}dB,adelay=${delayMs}:all=1[voice];` +
            `[${audioInput}:a][voice]amix=inputs=2:normalize=0:duration=first[sound]`,
          '-map',
          '[sound]',
        );
      } else {
        args.push('-map', `${audioInput}:a`);
      }
    }
    if (withVideo) {
      args.push('-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
      args.push('-g', String(picture.fps));
      if (picture.bitrateKbps) args.push('-b:v', `${picture.bitrateKbps}k`);
    }
    if (withAudio)
      args.push(...(withVideo ? ['-c:a', 'aac', '-b:a', '64k', '-ac', '1'] : ['-c:a', 'pcm_s16le']));
    args.push('-t', String(options.seconds), path);
    const result = await runFfmpeg(args, { timeoutMs: 5 * 60_000 });
    if (result.exitCode !== 0) throw new Error(`ffmpeg could not make ${path}: ${result.stderr.trim()}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
