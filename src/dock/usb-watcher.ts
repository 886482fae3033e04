import type { UsbIdentity } from '../drivers/driver.ts';

/** USB hotplug as the dock needs it: which recorder-like device came or went, nothing more. */
export interface UsbWatcher {
  /** Starts listening; resolves false (after logging why) when this machine gives no USB access. */
  start(): Promise<boolean>;
  stop(): void;
  onAttach(listener: (device: UsbIdentity) => void): void;
  onDetach(listener: (device: UsbIdentity) => void): void;
}

/** Keeps the listeners; each implementation only decides where the events come from. */
export class UsbListeners {
  private readonly attach = new Set<(device: UsbIdentity) => void>();
  private readonly detach = new Set<(device: UsbIdentity) => void>();

  onAttach(listener: (device: UsbIdentity) => void): void {
    this.attach.add(listener);
  }

  onDetach(listener: (device: UsbIdentity) => void): void {
    this.detach.add(listener);
  }

  protected attached(device: UsbIdentity): void {
    for (const listener of this.attach) listener(device);
  }

  protected detached(device: UsbIdentity): void {
    for (const listener of this.detach) listener(device);
  }
}
