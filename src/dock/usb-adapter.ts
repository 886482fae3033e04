import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { UsbIdentity } from '../drivers/driver.ts';
import type { Logger } from '../log/logger.ts';
import { UsbListeners, type UsbWatcher } from './usb-watcher.ts';

// usb@2.18 on purpose: usb@3's WebUSB-style hotplug leaves a rejected promise unhandled on machines
// without a USB bus, which would take the daemon down. The 2.x `on('attach')` API fails in ways we
// can catch, and without /dev/bus/usb libusb loads but sees nothing, so we check access first.
const usbDeviceFolder = '/dev/bus/usb';
const sysfsUsbDevices = '/sys/bus/usb/devices';

interface LibusbDevice {
  busNumber: number;
  portNumbers?: number[];
  deviceDescriptor: { idVendor: number; idProduct: number };
}

interface LibusbModule {
  INIT_ERROR?: number;
  on(event: 'attach' | 'detach', listener: (device: LibusbDevice) => void): void;
  removeListener(event: 'attach' | 'detach', listener: (device: LibusbDevice) => void): void;
  unrefHotplugEvents(): void;
}

/** Hotplug through libusb (the `usb` package); one warning and no events where there is no USB access. */
export class LibusbWatcher extends UsbListeners implements UsbWatcher {
  private usb: LibusbModule | null = null;
  private readonly onAttachEvent = (device: LibusbDevice) => void this.report(device, 'attach');
  private readonly onDetachEvent = (device: LibusbDevice) => void this.report(device, 'detach');

  constructor(private readonly logger: Logger) {
    super();
  }

  async start(): Promise<boolean> {
    const problem = await this.listen().catch((error: Error) => error.message);
    if (problem) {
      this.logger.warn(
        { reason: problem },
        'USB hotplug unavailable; recorders are still detected when their storage is mounted',
      );
      return false;
    }
    return true;
  }

  stop(): void {
    this.usb?.removeListener('attach', this.onAttachEvent);
    this.usb?.removeListener('detach', this.onDetachEvent);
    this.usb = null;
  }

  /** Resolves with why USB cannot be watched, or null once listening. */
  private async listen(): Promise<string | null> {
    try {
      await access(usbDeviceFolder, constants.R_OK | constants.X_OK);
    } catch {
      return `no access to ${usbDeviceFolder} (no USB bus, or a container without it)`;
    }
    const loaded = (await import('usb')) as unknown as { usb: LibusbModule };
    if (loaded.usb.INIT_ERROR) return `libusb failed to initialise (code ${loaded.usb.INIT_ERROR})`;
    this.usb = loaded.usb;
    this.usb.on('attach', this.onAttachEvent);
    this.usb.on('detach', this.onDetachEvent);
    // Hotplug must never be what keeps the process alive after shutdown.
    this.usb.unrefHotplugEvents();
    return null;
  }

  private async report(device: LibusbDevice, kind: 'attach' | 'detach'): Promise<void> {
    const busPath = busPathOf(device);
    const identity: UsbIdentity = {
      vendorId: device.deviceDescriptor.idVendor,
      productId: device.deviceDescriptor.idProduct,
      // Opening the device to read its string descriptors needs permissions; sysfs has the serial.
      serial: kind === 'attach' ? await readSysfsSerial(busPath) : null,
      busPath,
    };
    if (kind === 'attach') this.attached(identity);
    else this.detached(identity);
  }
}

/** The kernel's name for a USB port path, e.g. "1-2.3", the same as in /sys/bus/usb/devices. */
export function busPathOf(device: Pick<LibusbDevice, 'busNumber' | 'portNumbers'>): string | null {
  const ports = device.portNumbers ?? [];
  return ports.length ? `${device.busNumber}-${ports.join('.')}` : null;
}

async function readSysfsSerial(busPath: string | null): Promise<string | null> {
  if (!busPath) return null;
  const text = await readFile(path.join(sysfsUsbDevices, busPath, 'serial'), 'utf8').catch(() => null);
  return text?.trim() || null;
}
