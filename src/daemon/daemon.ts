import { DockService } from '../dock/dock-service.ts';
import { LibusbWatcher } from '../dock/usb-adapter.ts';
import type { UsbWatcher } from '../dock/usb-watcher.ts';
import type { Station } from '../station.ts';
import { Controller } from './controller.ts';
import { playbackService } from './playback-service.ts';

export interface Daemon {
  controller: Controller;
  docks: DockService;
}

export interface DaemonOptions {
  /** Tests pass a FakeUsbWatcher; the station uses libusb. */
  usb?: UsbWatcher;
  pollMs?: number;
}

/**
 * The long-running station: a controller over its services, each with its own child logger.
 * Other services (the dashboard, the scheduler) are added with `daemon.controller.add(...)`
 * before `start()`.
 */
export function createDaemon(station: Station, options: DaemonOptions = {}): Daemon {
  const child = (service: string) => station.logger.child({ service });
  const docks = new DockService({
    station,
    usb: options.usb ?? new LibusbWatcher(child('usb')),
    logger: child('docks'),
    pollMs: options.pollMs,
  });
  const controller = new Controller(child('controller'));
  controller.add(playbackService(station.playback)).add(docks);
  return { controller, docks };
}
