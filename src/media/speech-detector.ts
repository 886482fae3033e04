// Art. 18: an officer who resumes recording must say aloud why it stopped. This hears whether anyone
// speaks in the first seconds of a segment; it does not understand what is said.
//
// The WebRTC voice activity detector (libfvad, WebAssembly, no model to download) alone calls every
// steady loud sound speech: pink noise, a 1 kHz tone and tone sweeps all measured as 100% "voiced".
// So a frame counts only when the detector says voiced AND the frame stands out from the background
// across much of the voice band at once: speech raises many frequency bands together, syllable by
// syllable, where noise stays at its own floor and a tone or a sweep lights one band at a time.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fvad from '@echogarden/fvad-wasm';
import { decodeWindows, sampleRate } from './audio-window.ts';

export type SpeechVerdict = 'detected' | 'absent' | 'no-audio';

export interface SpeechOptions {
  /** Seconds from the start of the file that are listened to. */
  windowSeconds: number;
  /** Speech in total, within the window, that counts as a spoken reason. */
  minSpeechSeconds: number;
  timeoutMs: number;
}

export interface SpeechRegion {
  startSeconds: number;
  endSeconds: number;
}

export interface SpeechAnalysis {
  verdict: SpeechVerdict;
  /** How much audio was actually decoded (the file may be shorter than the window). */
  analysedSeconds: number;
  /** Start of the first speech, from the start of the file; null without speech. */
  speechStartSeconds: number | null;
  /** Speech in total within the window. */
  speechSeconds: number;
  regions: SpeechRegion[];
}

const frameSeconds = 0.03;
const frameSamples = sampleRate * frameSeconds; // 480: one of the frame lengths libfvad accepts
const fftSize = 512;
const halfSize = fftSize / 2;
// Mode 3 ("very aggressive") is the one least ready to call a sound speech.
const vadMode = 3;

// Voice band 250-3750 Hz in 14 bands of 250 Hz (8 bins of 31.25 Hz each).
const bandCount = 14;
const binsPerBand = 8;
const firstBin = 8;
/** A band stands out when it is this far above its own floor... */
const bandRiseDb = 8;
/** ...and within this of the frame's loudest band (a tone's leakage into silence is not speech). */
const bandSpanDb = 40;
/** Bands that must stand out together; a tone with two harmonics reached 6 in tests, speech 7-14. */
const bandsNeeded = 7;
/** The floor of a band is its quietest moment within this many frames either side (1.5 s). */
const floorFrames = 50;
/** Quieter frames are silence however they are shaped (about -66 dBFS). */
const minFrameDb = 24;
/** Pauses shorter than this inside speech are bridged; shorter bursts are dropped. */
const bridgeSeconds = 0.3;
const minRegionSeconds = 0.15;

/**
 * Listens to the first `windowSeconds` of a file's first audio stream; a file without one is
 * `no-audio`. ffmpeg itself says so, which spares an ffprobe run per segment.
 */
export async function detectSpeech(path: string, options: SpeechOptions): Promise<SpeechAnalysis> {
  const [window] = await decodeWindows([path], options.windowSeconds, options.timeoutMs);
  if (window instanceof Error) throw window;
  return window === 'no-audio' ? silentAnalysis : judgeSpeech(window, options.minSpeechSeconds);
}

/** What is known of a file without a sound track. */
export const silentAnalysis: SpeechAnalysis = Object.freeze({
  verdict: 'no-audio',
  analysedSeconds: 0,
  speechStartSeconds: null,
  speechSeconds: 0,
  regions: [],
});

/** The verdict on 16 kHz mono samples (exported for the bench and for tests of the rule itself). */
export async function judgeSpeech(samples: Int16Array, minSpeechSeconds: number): Promise<SpeechAnalysis> {
  const frames = await analyseFrames(samples);
  const regions = speechRegions(frames);
  const speechSeconds = roundMillis(regions.reduce((sum, r) => sum + r.endSeconds - r.startSeconds, 0));
  return {
    verdict: speechSeconds >= minSpeechSeconds ? 'detected' : 'absent',
    analysedSeconds: roundMillis(samples.length / sampleRate),
    speechStartSeconds: regions.length ? regions[0].startSeconds : null,
    speechSeconds,
    regions,
  };
}

/** The samples from `startSeconds`, `seconds` long (clipped to what was decoded). */
export function samplesBetween(samples: Int16Array, startSeconds: number, seconds: number): Int16Array {
  const first = Math.max(0, Math.round(startSeconds * sampleRate));
  return samples.subarray(first, Math.min(samples.length, first + Math.round(seconds * sampleRate)));
}

// ---- frames --------------------------------------------------------------------------------------

interface Frame {
  voiced: boolean;
  levelDb: number;
  bandsDb: Float64Array;
}

interface VadModule {
  _fvad_new(): number;
  _fvad_free(handle: number): void;
  _fvad_set_mode(handle: number, mode: number): number;
  _fvad_set_sample_rate(handle: number, rate: number): number;
  _fvad_process(handle: number, pointer: number, samples: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAP16: Int16Array;
}

let vadModule: Promise<VadModule> | null = null;

// The package's own loader finds fvad.wasm through import.meta.url, which tsx and bundlers may move;
// handing it the bytes read from the package folder works wherever node_modules is.
function loadVad(): Promise<VadModule> {
  vadModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmFile = require.resolve('@echogarden/fvad-wasm/fvad.wasm');
    return (await fvad({ wasmBinary: readFileSync(wasmFile) })) as VadModule;
  })();
  return vadModule;
}

async function analyseFrames(samples: Int16Array): Promise<Frame[]> {
  const vad = await loadVad();
  const handle = vad._fvad_new();
  if (!handle) throw new Error('the voice activity detector could not start');
  const pointer = vad._malloc(frameSamples * 2);
  try {
    if (vad._fvad_set_mode(handle, vadMode) !== 0 || vad._fvad_set_sample_rate(handle, sampleRate) !== 0)
      throw new Error('the voice activity detector refused its settings');
    const frames: Frame[] = [];
    const spectrum = new Spectrum();
    for (let offset = 0; offset + frameSamples <= samples.length; offset += frameSamples) {
      const frame = samples.subarray(offset, offset + frameSamples);
      // HEAP16 is re-read each time: the view is replaced if the module's memory grows.
      vad.HEAP16.set(frame, pointer >> 1);
      const voiced = vad._fvad_process(handle, pointer, frameSamples) === 1;
      frames.push({ voiced, ...spectrum.measure(frame) });
    }
    return frames;
  } finally {
    vad._free(pointer);
    vad._fvad_free(handle);
  }
}

/**
 * Frame level and band levels in dB, through a Blackman-Harris window (its leakage is below -90 dB).
 * The frame is real, so its 512-point spectrum comes from one 256-point complex FFT of the even and
 * odd samples packed together: half the work of a complex FFT of the frame.
 */
class Spectrum {
  private readonly window = Float64Array.from({ length: frameSamples }, (_, index) => {
    const angle = (2 * Math.PI * index) / (frameSamples - 1);
    return (
      0.35875 - 0.48829 * Math.cos(angle) + 0.14128 * Math.cos(2 * angle) - 0.01168 * Math.cos(3 * angle)
    );
  });
  private readonly real = new Float64Array(halfSize);
  private readonly imaginary = new Float64Array(halfSize);

  measure(frame: Int16Array): { levelDb: number; bandsDb: Float64Array } {
    const { real, imaginary, window } = this;
    let energy = 0;
    // Even samples as the real parts, odd ones as the imaginary, straight into the bit-reversed
    // order the FFT starts from; past the frame, the zero padding.
    for (let pair = 0; pair < halfSize; pair++) {
      const slot = bitReversed[pair];
      const index = pair * 2;
      if (index >= frameSamples) {
        real[slot] = 0;
        imaginary[slot] = 0;
        continue;
      }
      const even = frame[index];
      const odd = frame[index + 1];
      energy += even * even + odd * odd;
      real[slot] = even * window[index];
      imaginary[slot] = odd * window[index + 1];
    }
    complexFft(real, imaginary);
    const bandsDb = new Float64Array(bandCount);
    for (let band = 0; band < bandCount; band++) {
      let power = 0;
      for (let bin = firstBin + band * binsPerBand; bin < firstBin + (band + 1) * binsPerBand; bin++) {
        // Unpacks bin `bin` of the real frame's spectrum from bins k and N/2-k of the packed one.
        const mirror = (halfSize - bin) % halfSize;
        const a = real[bin];
        const b = imaginary[bin];
        const c = real[mirror];
        const d = imaginary[mirror];
        const oddReal = (b + d) / 2;
        const oddImaginary = (c - a) / 2;
        const x = (a + c) / 2 + unpack.cos[bin] * oddReal - unpack.sin[bin] * oddImaginary;
        const y = (b - d) / 2 + unpack.cos[bin] * oddImaginary + unpack.sin[bin] * oddReal;
        power += x * x + y * y;
      }
      bandsDb[band] = 10 * Math.log10(power + 1);
    }
    return { levelDb: 10 * Math.log10(energy / frameSamples + 1), bandsDb };
  }
}

function turns(points: number, count: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(count);
  const sin = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    cos[k] = Math.cos((-2 * Math.PI * k) / points);
    sin[k] = Math.sin((-2 * Math.PI * k) / points);
  }
  return { cos, sin };
}

const twiddles = turns(halfSize, halfSize / 2);
const unpack = turns(fftSize, halfSize);

const bitReversed = Uint16Array.from({ length: halfSize }, (_, index) => {
  let reversed = 0;
  for (let bit = 1, high = halfSize >> 1; bit < halfSize; bit <<= 1, high >>= 1)
    if (index & bit) reversed |= high;
  return reversed;
});

/** In-place radix-2 FFT of halfSize points already in bit-reversed order, with tables computed once. */
function complexFft(real: Float64Array, imaginary: Float64Array): void {
  for (let length = 2; length <= halfSize; length <<= 1) {
    const half = length >> 1;
    const stride = halfSize / length;
    for (let k = 0; k < half; k++) {
      const cos = twiddles.cos[k * stride];
      const sin = twiddles.sin[k * stride];
      for (let a = k; a < halfSize; a += length) {
        const b = a + half;
        const re = real[b] * cos - imaginary[b] * sin;
        const im = real[b] * sin + imaginary[b] * cos;
        real[b] = real[a] - re;
        imaginary[b] = imaginary[a] - im;
        real[a] += re;
        imaginary[a] += im;
      }
    }
  }
}

// ---- deciding ------------------------------------------------------------------------------------

function speechRegions(frames: Frame[]): SpeechRegion[] {
  const smoothed = frames.map((_, index) => smoothedBands(frames, index));
  const floors = bandFloors(smoothed);
  const speechy = frames.map((frame, index) => {
    if (!frame.voiced || frame.levelDb < minFrameDb) return false;
    const bands = smoothed[index];
    const loudest = Math.max(...bands);
    let standing = 0;
    for (let band = 0; band < bandCount; band++) {
      if (bands[band] - floors[index][band] >= bandRiseDb && bands[band] >= loudest - bandSpanDb) standing++;
    }
    return standing >= bandsNeeded;
  });
  return runsOf(speechy);
}

/** Band levels averaged over the frame and its neighbours: noise varies less, syllables stay. */
function smoothedBands(frames: Frame[], index: number): Float64Array {
  const result = new Float64Array(bandCount);
  let count = 0;
  for (let near = Math.max(0, index - 1); near <= Math.min(frames.length - 1, index + 1); near++) {
    count++;
    for (let band = 0; band < bandCount; band++) result[band] += frames[near].bandsDb[band];
  }
  for (let band = 0; band < bandCount; band++) result[band] /= count;
  return result;
}

/**
 * Each band's quietest level around each frame: the background that speech must rise above. A
 * running minimum (a queue of candidates in rising order) makes it one pass per band.
 */
function bandFloors(bands: Float64Array[]): Float64Array[] {
  const floors = bands.map(() => new Float64Array(bandCount));
  const candidates = new Int32Array(bands.length);
  for (let band = 0; band < bandCount; band++) {
    let head = 0;
    let tail = 0;
    for (let next = 0; next < bands.length + floorFrames; next++) {
      if (next < bands.length) {
        while (tail > head && bands[candidates[tail - 1]][band] >= bands[next][band]) tail--;
        candidates[tail++] = next;
      }
      const index = next - floorFrames;
      if (index < 0) continue;
      while (candidates[head] < index - floorFrames) head++;
      floors[index][band] = bands[candidates[head]][band];
    }
  }
  return floors;
}

/** Speech frames joined into regions across short pauses; isolated bursts dropped. */
function runsOf(speechy: boolean[]): SpeechRegion[] {
  const regions: SpeechRegion[] = [];
  for (let index = 0; index < speechy.length; index++) {
    if (!speechy[index]) continue;
    const start = index * frameSeconds;
    const end = (index + 1) * frameSeconds;
    const last = regions.at(-1);
    if (last && start - last.endSeconds <= bridgeSeconds) last.endSeconds = end;
    else regions.push({ startSeconds: start, endSeconds: end });
  }
  return regions
    .filter((region) => region.endSeconds - region.startSeconds >= minRegionSeconds)
    .map((region) => ({
      startSeconds: roundMillis(region.startSeconds),
      endSeconds: roundMillis(region.endSeconds),
    }));
}

function roundMillis(value: number): number {
  return Math.round(value * 1000) / 1000;
}
