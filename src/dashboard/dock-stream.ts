import type { EventBus, StationEventName } from '../events/event-bus.ts';

type Send = (chunk: string) => void;

interface ProgressPayload {
  dockId: number;
  sourcePath: string;
}

// A copy reports progress per chunk; browsers need a few updates a second. Progress is coalesced to
// the latest value per file and flushed on a timer, so ingest never waits on a slow browser.
const progressIntervalMs = 250;

/** Fans the station's events out to server-sent-event clients. Costs nothing while no one watches. */
export class DockStream {
  private readonly clients = new Set<Send>();
  private readonly pendingProgress = new Map<string, unknown>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;

  constructor(events: EventBus) {
    this.unsubscribe = events.onAny((name, payload) => this.receive(name, payload));
  }

  subscribe(send: Send): () => void {
    this.clients.add(send);
    return () => this.clients.delete(send);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    this.unsubscribe();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.clients.clear();
  }

  private receive(name: StationEventName, payload: unknown): void {
    if (this.clients.size === 0) return;
    if (name === 'file.progress') {
      const progress = payload as ProgressPayload;
      this.pendingProgress.set(`${progress.dockId}\u0000${progress.sourcePath}`, payload);
      this.flushTimer ??= setTimeout(() => this.flush(), progressIntervalMs);
      return;
    }
    // Progress first, so a file's last bytes never arrive after its "done".
    this.flush();
    this.broadcast(name, payload);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const payload of this.pendingProgress.values()) this.broadcast('file.progress', payload);
    this.pendingProgress.clear();
  }

  private broadcast(name: string, payload: unknown): void {
    const chunk = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const send of this.clients) send(chunk);
  }
}
