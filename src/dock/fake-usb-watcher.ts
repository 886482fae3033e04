import type { UsbIdentity } from '../drivers/driver.ts';
import { UsbListeners, type UsbWatcher } from './usb-watcher.ts';

/** USB events a test plays by hand, through the same interface the daemon uses. */
export class FakeUsbWatcher extends UsbListeners implements UsbWatcher {
  running = false;

  async start(): Promise<boolean> {
    this.running = true;
    return true;
  }

  stop(): void {
    this.running = false;
  }

  plug(device: UsbIdentity): void {
    if (this.running) this.attached(device);
  }

  unplug(device: UsbIdentity): void {
    if (this.running) this.detached(device);
  }
}
