import { createHash, randomBytes } from 'node:crypto';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyWithHash, SourceGoneError } from '../src/archive/copy-file.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function folderWithFile(size: number) {
  const folder = await temporaryFolder('copy-file');
  cleanups.push(() => folder.remove());
  const content = randomBytes(size);
  const source = path.join(folder.path, 'source.MP4');
  await writeFile(source, content);
  return { folder: folder.path, source, content, sha256: createHash('sha256').update(content).digest('hex') };
}

describe('copy with hash', () => {
  // 1 MiB chunks read the recorder with O_DIRECT; 10000-byte chunks cannot, and go through the page cache.
  for (const chunkBytes of [1024 * 1024, 10000]) {
    it(`copies a file of any length byte for byte and hashes it in ${chunkBytes}-byte chunks`, async () => {
      for (const size of [0, 4096, 3 * 1024 * 1024 + 123]) {
        const { folder, source, content, sha256 } = await folderWithFile(size);
        const destination = path.join(folder, 'copy');
        const progress: number[] = [];
        const result = await copyWithHash(source, destination, {
          chunkBytes,
          onProgress: (done) => {
            progress.push(done);
          },
        });
        expect(result).toEqual({ sha256, bytes: size });
        expect((await readFile(destination)).equals(content)).toBe(true);
        expect(progress.at(-1) ?? 0).toBe(size);
      }
    });
  }

  it('copies many files at once into separate buffers', async () => {
    const sources = await Promise.all([1, 2, 3, 4].map((mib) => folderWithFile(mib * 1024 * 1024 + mib)));
    const results = await Promise.all(
      sources.map(({ folder, source }) =>
        copyWithHash(source, path.join(folder, 'copy'), { chunkBytes: 1024 * 1024 }),
      ),
    );
    expect(results.map((result) => result.sha256)).toEqual(sources.map((source) => source.sha256));
  });

  it('refuses a symlink as source and a destination that already exists', async () => {
    const { folder, source } = await folderWithFile(1000);
    const link = path.join(folder, 'link.MP4');
    await symlink(source, link);
    await expect(copyWithHash(link, path.join(folder, 'copy'), { chunkBytes: 65536 })).rejects.toMatchObject({
      code: 'ELOOP',
    });
    await expect(copyWithHash(source, source, { chunkBytes: 65536 })).rejects.toMatchObject({
      code: 'EEXIST',
    });
    await expect(
      copyWithHash(path.join(folder, 'gone.MP4'), path.join(folder, 'copy'), { chunkBytes: 65536 }),
    ).rejects.toBeInstanceOf(SourceGoneError);
  });
});
