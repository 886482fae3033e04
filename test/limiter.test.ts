import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/util/limiter.ts';

/** A task that runs until the test lets it finish. */
function controllableTask<T>(value: T) {
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let started = false;
  return {
    run: async () => {
      started = true;
      await finished;
      return value;
    },
    finish: () => finish(),
    get started() {
      return started;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it('runs no more than the given number of tasks at once, and starts the next as one finishes', async () => {
    const limit = createLimiter(2);
    const tasks = [
      controllableTask('a'),
      controllableTask('b'),
      controllableTask('c'),
      controllableTask('d'),
    ];
    const results = tasks.map((task) => limit(task.run));
    await settle();
    expect(tasks.map((task) => task.started)).toEqual([true, true, false, false]);

    tasks[1].finish();
    await settle();
    expect(tasks.map((task) => task.started)).toEqual([true, true, true, false]);

    for (const task of tasks) task.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never exceeds its limit when new tasks arrive while others hand over their slots', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let highest = 0;
    const task = async (index: number) => {
      running += 1;
      highest = Math.max(highest, running);
      await new Promise((resolve) => setTimeout(resolve, index % 3));
      running -= 1;
      return index;
    };
    const first = Array.from({ length: 10 }, (_, index) => limit(() => task(index)));
    await settle();
    const second = Array.from({ length: 10 }, (_, index) => limit(() => task(index + 10)));
    await Promise.all([...first, ...second]);
    expect(highest).toBe(3);
  });

  it('passes on a failing task and frees its slot for the next one', async () => {
    const limit = createLimiter(1);
    const failing = limit(async () => {
      throw new Error('broken file');
    });
    const next = limit(async () => 'next ran');
    await expect(failing).rejects.toThrow('broken file');
    await expect(next).resolves.toBe('next ran');
  });

  it('frees the slot when a task throws before returning a promise', async () => {
    const limit = createLimiter(1);
    await expect(
      limit(() => {
        throw new Error('synchronous');
      }),
    ).rejects.toThrow('synchronous');
    await expect(limit(async () => 'still works')).resolves.toBe('still works');
  });

  it('refuses a limit below one or a fraction', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });
});
