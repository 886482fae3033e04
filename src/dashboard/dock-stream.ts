import type { EventBus, StationEventName } from '../events/event-bus.ts';
import { showBidiControls } from './html.ts';

type Send = (chunk: string) => void;

interface ProgressPayload {
  dockId: number;
  sourcePath: string;
}

/** Whose stream it is: events are filtered for them, and the stream ends with their session. */
export interface StreamViewer {
  sessionToken: string;
  userId: number;
  accepts(name: string, payload: unknown): boolean;
  /** Closes the connection. */
  end(): void;
}

interface Client {
  send: Send;
  viewer: StreamViewer | null;
}

// A copy reports progress per chunk; browsers need a few updates a second. Progress is coalesced to
// the latest value per file and flushed on a timer, so ingest never waits on a slow browser.
const progressIntervalMs = 250;

/** Fans the station's events out to server-sent-event clients. Costs nothing while no one watches. */
export class DockStream {
  private readonly clients = new Set<Client>();
  private readonly pendingProgress = new Map<string, unknown>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;

  constructor(events: EventBus) {
    this.unsubscribe = events.onAny((name, payload) => this.receive(name, payload));
  }

  /** Every event goes to `send`, or those `viewer` accepts. */
  subscribe(send: Send, viewer: StreamViewer | null = null): () => void {
    const client = { send, viewer };
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Logout: the session's streams end with it. */
  endSession(sessionToken: string): void {
    for (const client of [...this.clients])
      if (client.viewer?.sessionToken === sessionToken) this.end(client);
  }

  /** Account disabled or password changed: every stream of the user ends. */
  endUser(userId: number): void {
    for (const client of [...this.clients]) if (client.viewer?.userId === userId) this.end(client);
  }

  close(): void {
    this.unsubscribe();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.clients.clear();
  }

  private end(client: Client): void {
    this.clients.delete(client);
    client.viewer?.end();
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
    // Names in events are shown as pages show them, bidi controls made visible (see html.ts).
    const chunk = `event: ${name}\ndata: ${showBidiControls(JSON.stringify(payload))}\n\n`;
    for (const client of this.clients)
      if (!client.viewer || client.viewer.accepts(name, payload)) client.send(chunk);
  }
}
