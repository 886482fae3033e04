// A WAV file of 16-bit mono samples the station already holds, written without running ffmpeg again.
// No encoder tag or other metadata: the same samples always make the same bytes, and so the same hash.

const headerBytes = 44;

export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2;
  const file = Buffer.alloc(headerBytes + dataBytes);
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(headerBytes - 8 + dataBytes, 4);
  file.write('WAVE', 8, 'ascii');
  file.write('fmt ', 12, 'ascii');
  file.writeUInt32LE(16, 16); // fmt chunk size
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(1, 22); // channels
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  file.writeUInt16LE(2, 32); // bytes per sample frame
  file.writeUInt16LE(16, 34); // bits per sample
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataBytes, 40);
  // WAV is little-endian whatever the machine is.
  for (let index = 0; index < samples.length; index++)
    file.writeInt16LE(samples[index], headerBytes + index * 2);
  return file;
}
