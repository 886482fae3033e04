// Reads what an MP4/MOV says about itself from its index (the moov box), in-process. Body cameras
// write MP4; starting ffprobe costs a quarter of a second of CPU each time (most of it loading its
// libraries), which at shift end, eight docks at once, is more CPU than copying and hashing. The
// answer is the one ffprobe gives (its mov demuxer's rules for length and creation time, its codec
// names); anything this reader does not know — fragmented files, a codec outside the list, a box that
// does not add up — returns null and probe.ts asks ffprobe. Like ffprobe it reads headers only: the
// playback check still decodes.
import { open } from 'node:fs/promises';
import { inputUrl } from './ffmpeg-run.ts';
import type { ProbeResult } from './probe.ts';

type FileHandle = Awaited<ReturnType<typeof open>>;

/** ffprobe's name for its mov demuxer, whatever the brand. */
export const mp4FormatName = 'mov,mp4,m4a,3gp,3g2,mj2';

/** A real index is a few MB an hour of footage; beyond this, leave it to ffprobe. */
const maxIndexBytes = 64 * 1024 * 1024;
const maxTopLevelBoxes = 10_000;
/** Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01. */
const mp4Epoch = 2_082_844_800;

const videoCodecs: Record<string, string> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  jpeg: 'mjpeg',
  mjpa: 'mjpeg',
  av01: 'av1',
  vp09: 'vp9',
  h263: 'h263',
  s263: 'h263',
};

const audioCodecs: Record<string, string> = {
  ulaw: 'pcm_mulaw',
  alaw: 'pcm_alaw',
  '.mp3': 'mp3',
  Opus: 'opus',
  fLaC: 'flac',
  'ac-3': 'ac3',
  'ec-3': 'eac3',
  samr: 'amr_nb',
  sawb: 'amr_wb',
};

/** MPEG-4 objectTypeIndication in an esds box (mp4v, mp4a). */
const objectTypes: Record<number, string> = {
  32: 'mpeg4',
  64: 'aac',
  102: 'aac',
  103: 'aac',
  104: 'aac',
  105: 'mp3',
  107: 'mp3',
  106: 'mpeg1video',
  108: 'mjpeg',
  165: 'ac3',
  166: 'eac3',
};

/** AAC sampling frequency index (ISO 14496-3). */
const aacRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Something this reader does not answer for; ffprobe will. */
class Unsupported extends Error {}

interface Box {
  type: string;
  /** Offsets of the body in the buffer. */
  start: number;
  end: number;
}

interface Track {
  handler: string;
  creationTime: string | null;
  timescale: number;
  sampleEntry: Box | null;
  frames: number;
  ticks: number;
}

/** Null when the file is not an MP4/MOV this reader can answer for exactly. */
export async function probeMp4(path: string): Promise<ProbeResult | null> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const index = await readIndex(file);
    if (index === 'missing') return noIndex(path);
    return index ? describe(index) : null;
  } catch {
    // Not ours to judge (or unreadable): ffprobe gives the answer, or the reason.
    return null;
  } finally {
    await file?.close();
  }
}

/**
 * The moov box's body, found by walking the top-level boxes; 'missing' when an MP4 has none (a
 * recording never finished: power lost, card pulled); null when this reader leaves it to ffprobe.
 */
async function readIndex(file: FileHandle): Promise<Buffer | 'missing' | null> {
  const { size } = await file.stat();
  const header = Buffer.alloc(16);
  let offset = 0;
  let startsWithFtyp = false;
  for (let count = 0; count < maxTopLevelBoxes && offset + 8 <= size; count += 1) {
    const { bytesRead } = await file.read(header, 0, 16, offset);
    const type = header.toString('latin1', 4, 8);
    if (count === 0 && !['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide'].includes(type)) return null;
    if (count === 0) startsWithFtyp = type === 'ftyp';
    let boxSize = header.readUInt32BE(0);
    let headerSize = 8;
    if (boxSize === 1) {
      if (bytesRead < 16) return null;
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = size - offset;
    }
    if (boxSize < headerSize) return null;
    // Fragments carry their own lengths, which ffprobe adds up; not ours to guess.
    if (type === 'moof' || type === 'sidx') return null;
    if (type === 'moov') {
      const bodySize = boxSize - headerSize;
      if (bodySize > maxIndexBytes || offset + boxSize > size) return null;
      const body = Buffer.alloc(bodySize);
      const read = await file.read(body, 0, bodySize, offset + headerSize);
      return read.bytesRead === bodySize ? body : null;
    }
    offset += boxSize;
  }
  // ffprobe picks its mov demuxer for a file that starts with ftyp, which then finds no index either.
  return startsWithFtyp && offset >= size ? 'missing' : null;
}

/** ffprobe's own words for it. */
function noIndex(path: string): ProbeResult {
  return {
    ok: false,
    error: `[${mp4FormatName}] moov atom not found\n${inputUrl(path)}: Invalid data found when processing input`,
    formatName: null,
    durationSeconds: null,
    creationTime: null,
    video: null,
    audio: null,
  };
}

function describe(moov: Buffer): ProbeResult {
  const top = children(moov, { type: 'moov', start: 0, end: moov.length });
  if (top.some((box) => box.type === 'mvex')) throw new Unsupported('fragmented');
  const mvhd = only(top, 'mvhd');
  const header = readMediaHeader(moov, mvhd);
  if (!header.timescale || !header.duration) throw new Unsupported('no length in mvhd');
  const tracks = top.filter((box) => box.type === 'trak').map((trak) => readTrack(moov, trak));

  let video: ProbeResult['video'] = null;
  let audio: ProbeResult['audio'] = null;
  // Every picture and sound track must be one ffprobe would name; the first of each is described.
  for (const track of tracks) {
    if (track.handler === 'vide') {
      const described = describeVideo(moov, track);
      video ??= described;
    } else if (track.handler === 'soun') {
      const described = describeAudio(moov, track);
      audio ??= described;
    }
  }
  if (!video && !audio) throw new Unsupported('no picture or sound track');
  return {
    ok: true,
    error: null,
    formatName: mp4FormatName,
    // ffprobe: the movie header's length, rounded to microseconds.
    durationSeconds: Math.round((header.duration * 1e6) / header.timescale) / 1e6,
    creationTime: header.creationTime ?? tracks.find((track) => track.creationTime)?.creationTime ?? null,
    video,
    audio,
  };
}

function readTrack(buffer: Buffer, trak: Box): Track {
  const mdia = only(children(buffer, trak), 'mdia');
  const inMdia = children(buffer, mdia);
  const media = readMediaHeader(buffer, only(inMdia, 'mdhd'));
  const hdlr = only(inMdia, 'hdlr');
  const handler = buffer.toString('latin1', hdlr.start + 8, hdlr.start + 12);
  const track: Track = {
    handler,
    creationTime: media.creationTime,
    timescale: media.timescale,
    sampleEntry: null,
    frames: 0,
    ticks: 0,
  };
  if (handler !== 'vide' && handler !== 'soun') return track;
  const stbl = only(children(buffer, only(inMdia, 'minf')), 'stbl');
  const inStbl = children(buffer, stbl);
  const stsd = only(inStbl, 'stsd');
  if (buffer.readUInt32BE(stsd.start + 4) < 1) throw new Unsupported('empty stsd');
  track.sampleEntry = children(buffer, { type: 'stsd', start: stsd.start + 8, end: stsd.end })[0] ?? null;
  const stts = inStbl.find((box) => box.type === 'stts');
  if (stts) {
    const entries = buffer.readUInt32BE(stts.start + 4);
    if (stts.start + 8 + entries * 8 > stts.end) throw new Unsupported('stts overruns');
    for (let i = 0; i < entries; i += 1) {
      const count = buffer.readUInt32BE(stts.start + 8 + i * 8);
      track.frames += count;
      track.ticks += count * buffer.readUInt32BE(stts.start + 12 + i * 8);
    }
  }
  return track;
}

function describeVideo(buffer: Buffer, track: Track): NonNullable<ProbeResult['video']> {
  const entry = sampleEntry(track);
  let codec: string | undefined = videoCodecs[entry.type];
  // Visual sample entry: 8 bytes of SampleEntry, then 16 before width and height; boxes from 78.
  const extras = children(buffer, { type: entry.type, start: entry.start + 78, end: entry.end }, true);
  if (entry.type === 'mp4v') codec = objectType(buffer, extras);
  if (!codec) throw new Unsupported(`video ${entry.type}`);
  const width = buffer.readUInt16BE(entry.start + 24);
  const height = buffer.readUInt16BE(entry.start + 26);
  const frameRate =
    track.frames && track.ticks && track.timescale ? (track.frames * track.timescale) / track.ticks : null;
  return { codec, width, height, frameRate };
}

function describeAudio(buffer: Buffer, track: Track): NonNullable<ProbeResult['audio']> {
  const entry = sampleEntry(track);
  // Audio sample entry: 8 bytes of SampleEntry; QuickTime's version 1 and 2 descriptions add fields.
  const version = buffer.readUInt16BE(entry.start + 8);
  if (version > 1) throw new Unsupported('QuickTime sound description v2');
  let channels: number | null = buffer.readUInt16BE(entry.start + 16);
  const bits = buffer.readUInt16BE(entry.start + 18);
  let sampleRate: number | null = buffer.readUInt32BE(entry.start + 24) >>> 16;
  const extras = children(
    buffer,
    { type: entry.type, start: entry.start + (version === 1 ? 44 : 28), end: entry.end },
    true,
  );
  let codec: string | undefined = audioCodecs[entry.type];
  if (entry.type === 'sowt' && bits === 16) codec = 'pcm_s16le';
  if (entry.type === 'twos' && bits === 16) codec = 'pcm_s16be';
  if (entry.type === 'twos' && bits === 8) codec = 'pcm_s8';
  if (entry.type === 'mp4a') {
    codec = objectType(buffer, extras);
    // AAC's own configuration says what the decoder will report (the sample entry often says 2 channels).
    if (codec === 'aac') {
      const config = decoderSpecificInfo(buffer, extras);
      if (!config || config.length < 2) throw new Unsupported('aac without configuration');
      const rateIndex = ((config[0] & 0x07) << 1) | (config[1] >> 7);
      const channelConfig = (config[1] >> 3) & 0x0f;
      if (rateIndex >= aacRates.length || channelConfig < 1 || channelConfig > 2)
        throw new Unsupported('aac configuration');
      sampleRate = aacRates[rateIndex];
      channels = channelConfig;
    }
  }
  if (!codec) throw new Unsupported(`audio ${entry.type}`);
  return { codec, sampleRate: sampleRate || null, channels: channels || null };
}

function sampleEntry(track: Track): Box {
  if (!track.sampleEntry) throw new Unsupported('no sample entry');
  return track.sampleEntry;
}

/** The esds box of an mp4v/mp4a entry (QuickTime nests it in a wave box). */
function findEsds(buffer: Buffer, boxes: Box[]): Box | null {
  for (const box of boxes) {
    if (box.type === 'esds') return box;
    if (box.type === 'wave') {
      const inner = findEsds(buffer, children(buffer, box, true));
      if (inner) return inner;
    }
  }
  return null;
}

/** The codec named by the esds's DecoderConfigDescriptor. */
function objectType(buffer: Buffer, boxes: Box[]): string | undefined {
  const config = decoderConfig(buffer, boxes);
  return config ? objectTypes[buffer[config.start]] : undefined;
}

function decoderSpecificInfo(buffer: Buffer, boxes: Box[]): Buffer | null {
  const config = decoderConfig(buffer, boxes);
  if (!config) return null;
  // objectType(1) streamType(1) bufferSize(3) maxBitrate(4) avgBitrate(4), then descriptors.
  const info = descriptor(buffer, config.start + 13, config.end);
  return info?.tag === 0x05 ? buffer.subarray(info.start, info.end) : null;
}

function decoderConfig(buffer: Buffer, boxes: Box[]): { start: number; end: number } | null {
  const esds = findEsds(buffer, boxes);
  if (!esds) return null;
  let es = descriptor(buffer, esds.start + 4, esds.end);
  if (es?.tag !== 0x03) return null;
  let at = es.start + 2;
  const flags = buffer[at];
  at += 1;
  if (flags & 0x80) at += 2;
  if (flags & 0x40) at += 1 + buffer[at];
  if (flags & 0x20) at += 2;
  es = descriptor(buffer, at, es.end);
  return es && es.tag === 0x04 ? es : null;
}

/** An MPEG-4 descriptor: tag, a length of up to four 7-bit bytes, the body. */
function descriptor(
  buffer: Buffer,
  at: number,
  limit: number,
): { tag: number; start: number; end: number } | null {
  if (at + 2 > limit) return null;
  const tag = buffer[at];
  let length = 0;
  let position = at + 1;
  for (let i = 0; i < 4; i += 1) {
    const byte = buffer[position];
    position += 1;
    length = (length << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) break;
  }
  const end = position + length;
  return end <= limit ? { tag, start: position, end } : null;
}

/** mvhd or mdhd: creation time as ffprobe prints it, timescale, duration. */
function readMediaHeader(
  buffer: Buffer,
  box: Box,
): { creationTime: string | null; timescale: number; duration: number } {
  const version = buffer[box.start];
  let seconds: number;
  let timescale: number;
  let duration: number;
  if (version === 1) {
    seconds = Number(buffer.readBigInt64BE(box.start + 4));
    timescale = buffer.readUInt32BE(box.start + 20);
    duration = Number(buffer.readBigUInt64BE(box.start + 24));
  } else {
    seconds = buffer.readUInt32BE(box.start + 4);
    // ffmpeg: a 32-bit time before 1970 was written counting from 1970, not 1904.
    if (seconds > 0 && seconds < mp4Epoch) seconds += mp4Epoch;
    timescale = buffer.readUInt32BE(box.start + 12);
    duration = buffer.readUInt32BE(box.start + 16);
  }
  return { creationTime: seconds > 0 ? creationTimeText(seconds - mp4Epoch) : null, timescale, duration };
}

/** "2025-03-01T00:30:00.000000Z", ffprobe's creation_time. */
function creationTimeText(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new Unsupported('creation time out of range');
  return `${iso.slice(0, 19)}.000000Z`;
}

function only(boxes: Box[], type: string): Box {
  const found = boxes.find((box) => box.type === type);
  if (!found) throw new Unsupported(`no ${type}`);
  return found;
}

/** The boxes inside `parent`; `lenient` stops at trailing padding some writers leave in sample entries. */
function children(buffer: Buffer, parent: Box, lenient = false): Box[] {
  const boxes: Box[] = [];
  let at = parent.start;
  while (at + 8 <= parent.end) {
    let size = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    let headerSize = 8;
    if (size === 1) {
      size = Number(buffer.readBigUInt64BE(at + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = parent.end - at;
    }
    if (size < headerSize || at + size > parent.end) {
      if (lenient) break;
      throw new Unsupported(`box ${type} overruns ${parent.type}`);
    }
    boxes.push({ type, start: at + headerSize, end: at + size });
    at += size;
  }
  return boxes;
}
