import { describe, expect, it } from 'vitest';
import { mediaKindOf } from '../src/media/media-kind.ts';

describe('mediaKindOf', () => {
  it.each(['a.mp4', 'a.mov', 'a.avi', 'a.ts', 'a.mts', 'a.m2ts', 'a.3gp', 'a.mkv'])(
    'calls %s a video',
    (name) => {
      expect(mediaKindOf(name)).toBe('video');
    },
  );

  it.each(['a.wav', 'a.mp3', 'a.aac', 'a.m4a', 'a.amr'])('calls %s audio', (name) => {
    expect(mediaKindOf(name)).toBe('audio');
  });

  it.each(['a.jpg', 'a.jpeg'])('calls %s a photo', (name) => {
    expect(mediaKindOf(name)).toBe('photo');
  });

  it('ignores the case of the extension, as recorders write names in capitals', () => {
    expect(mediaKindOf('A123456_012345_20250301083000_0001.MP4')).toBe('video');
    expect(mediaKindOf('REC0001.WaV')).toBe('audio');
    expect(mediaKindOf('IMG0001.JPEG')).toBe('photo');
  });

  it('judges only the last extension of a full path', () => {
    expect(mediaKindOf('/media/usb/DCIM/100MEDIA/clip.mp4')).toBe('video');
    expect(mediaKindOf('D:\\DCIM\\clip.mp4.txt')).toBeNull();
    expect(mediaKindOf('/media/usb/folder.mp4/notes')).toBeNull();
  });

  it('returns null for files that are not footage', () => {
    for (const name of [
      'DEVICE.TXT',
      'readme.txt',
      'firmware.bin',
      'index.db',
      'photo.png',
      'clip.mp4.part',
    ]) {
      expect(mediaKindOf(name)).toBeNull();
    }
  });

  it('returns null for names without an extension and for hidden files', () => {
    expect(mediaKindOf('MP4')).toBeNull();
    expect(mediaKindOf('.mp4')).toBeNull();
    expect(mediaKindOf('clip.')).toBeNull();
    expect(mediaKindOf('')).toBeNull();
  });
});
