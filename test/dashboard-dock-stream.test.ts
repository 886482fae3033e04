import { describe, expect, it } from 'vitest';
import { DockStream } from '../src/dashboard/dock-stream.ts';
import { EventBus } from '../src/events/event-bus.ts';

const progress = (bytesDone: number) => ({
  dockId: 1,
  sourcePath: 'DCIM/A.MP4',
  bytesDone,
  sizeBytes: 100,
  dockBytesDone: bytesDone,
  dockBytesTotal: 100,
});

function events(chunks: string[]): { name: string; data: Record<string, unknown> }[] {
  return chunks.map((chunk) => {
    const [, name, data] = /^event: (.+)\ndata: (.+)\n\n$/.exec(chunk)!;
    return { name, data: JSON.parse(data) };
  });
}

describe('the dock progress stream', () => {
  it('does nothing while no one watches', () => {
    const bus = new EventBus();
    const stream = new DockStream(bus);
    bus.emit('file.progress', progress(10));
    const chunks: string[] = [];
    stream.subscribe((chunk) => chunks.push(chunk));
    bus.emit('dock.state', { dockId: 1, state: 'copying', detail: null });
    expect(events(chunks).map((event) => event.name)).toEqual(['dock.state']);
    stream.close();
  });

  it('sends only the latest progress of a file, and always before that file is done', () => {
    const bus = new EventBus();
    const stream = new DockStream(bus);
    const chunks: string[] = [];
    stream.subscribe((chunk) => chunks.push(chunk));
    for (const bytes of [10, 20, 30]) bus.emit('file.progress', progress(bytes));
    bus.emit('file.done', {
      dockId: 1,
      sourcePath: 'DCIM/A.MP4',
      recordingId: 7,
      outcome: 'done',
      reason: null,
    });
    expect(events(chunks)).toEqual([
      { name: 'file.progress', data: progress(30) },
      { name: 'file.done', data: expect.objectContaining({ recordingId: 7 }) },
    ]);
    stream.close();
  });

  it('flushes progress on its own a moment later', async () => {
    const bus = new EventBus();
    const stream = new DockStream(bus);
    const received = new Promise<string>((resolve) => stream.subscribe(resolve));
    bus.emit('file.progress', progress(50));
    expect(events([await received])).toEqual([{ name: 'file.progress', data: progress(50) }]);
    stream.close();
  });

  it('stops following the bus once closed', () => {
    const bus = new EventBus();
    const stream = new DockStream(bus);
    const chunks: string[] = [];
    stream.subscribe((chunk) => chunks.push(chunk));
    stream.close();
    bus.emit('dock.state', { dockId: 1, state: 'done', detail: null });
    expect(chunks).toEqual([]);
  });
});
