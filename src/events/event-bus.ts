import type { FileNote } from '../ingest/file-notes.ts';

// One typed stream from dock to ledger. A listener that throws is reported, never allowed to
// break the emitter: a broken dashboard subscriber must not stop a copy.

export interface StationEvents {
  'dock.detected': { dockId: number; sourcePath: string; origin: string };
  'dock.identified': { dockId: number; driver: string; deviceSerial: string | null; badge: string | null };
  'dock.state': { dockId: number; state: string; detail: string | null };
  'file.progress': {
    dockId: number;
    sourcePath: string;
    bytesDone: number;
    sizeBytes: number;
    dockBytesDone: number;
    dockBytesTotal: number;
  };
  'file.done': {
    dockId: number;
    sourcePath: string;
    recordingId: number | null;
    outcome: string;
    reason: string | null;
    /** The reason for people (ingest/file-notes.ts). */
    note?: FileNote | null;
  };
  'dock.done': { dockId: number; state: string; filesDone: number; filesTotal: number };
  'device.removed': { dockId: number; sourcePath: string };
  /** Art. 17 findings at a dock: low-storage, clock-offset, clock-set, low-battery. */
  'dock.warning': { dockId: number; kind: string; detail: string };
  'recording.checked': { recordingId: number; playback: string };
  error: { scope: string; message: string; dockId?: number };
}

export type StationEventName = keyof StationEvents;
type Listener<Name extends StationEventName> = (payload: StationEvents[Name]) => void;

export class EventBus {
  private readonly listeners = new Map<StationEventName, Set<Listener<never>>>();
  private readonly anyListeners = new Set<(name: StationEventName, payload: unknown) => void>();

  constructor(
    private readonly onListenerError: (error: unknown, name: StationEventName) => void = () => {},
  ) {}

  on<Name extends StationEventName>(name: Name, listener: Listener<Name>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as Listener<never>);
    this.listeners.set(name, set);
    return () => set.delete(listener as Listener<never>);
  }

  /** Every event, for streams such as server-sent events. */
  onAny(listener: (name: StationEventName, payload: unknown) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<Name extends StationEventName>(name: Name, payload: StationEvents[Name]): void {
    for (const listener of this.listeners.get(name) ?? [])
      this.safely(name, () => (listener as Listener<Name>)(payload));
    for (const listener of this.anyListeners) this.safely(name, () => listener(name, payload));
  }

  private safely(name: StationEventName, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.onListenerError(error, name);
    }
  }
}
