import { createHash, randomBytes } from 'node:crypto';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool } from '../src/archive/hash-pool.ts';
import { temporaryFolder } from './helpers/station-cli.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the hash pool', () => {
  it('gives the same SHA-256 as node:crypto for many files hashed at once on two workers', async () => {
    const folder = await temporaryFolder('hash-pool');
    const pool = new HashPool(2);
    cleanups.push(async () => {
      await pool.close();
      await folder.remove();
    });
    const files = await Promise.all(
      [0, 1, 5 * 1024 * 1024 + 3, 100, 4096].map(async (size, index) => {
        const content = randomBytes(size);
        const file = path.join(folder.path, `file-${index}`);
        await writeFile(file, content);
        return { file, sha256: createHash('sha256').update(content).digest('hex') };
      }),
    );
    const hashes = await Promise.all(files.map(({ file }) => pool.hash(file)));
    expect(hashes).toEqual(files.map(({ sha256 }) => sha256));
  });

  it('rejects a missing file or a symlink and keeps working', async () => {
    const folder = await temporaryFolder('hash-pool');
    const pool = new HashPool(1);
    cleanups.push(async () => {
      await pool.close();
      await folder.remove();
    });
    const real = path.join(folder.path, 'real');
    await writeFile(real, 'abc');
    await symlink(real, path.join(folder.path, 'link'));
    await expect(pool.hash(path.join(folder.path, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(pool.hash(path.join(folder.path, 'link'))).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await pool.hash(real)).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  it('hashes copies chunk by chunk from shared buffers, several at once, like node:crypto', async () => {
    const pool = new HashPool(2);
    cleanups.push(() => pool.close());
    const contents = [randomBytes(3 * 65536 + 17), randomBytes(0), randomBytes(65536)];
    const hashes = await Promise.all(
      contents.map(async (content) => {
        const stream = pool.stream();
        const shared = Buffer.from(new SharedArrayBuffer(65536));
        for (let offset = 0; offset < content.length; offset += shared.length) {
          const length = content.copy(shared, 0, offset, offset + shared.length);
          await stream.update(shared.subarray(0, length));
        }
        return stream.digest();
      }),
    );
    expect(hashes).toEqual(contents.map((content) => createHash('sha256').update(content).digest('hex')));
    // A dropped copy holds nothing; the pool goes on.
    const dropped = pool.stream();
    await dropped.update(Buffer.from(new SharedArrayBuffer(16)));
    dropped.drop();
    expect(await pool.stream().digest()).toBe(createHash('sha256').digest('hex'));
  });
});
