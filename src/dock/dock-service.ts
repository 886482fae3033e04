import path from 'node:path';
import type { Service } from '../daemon/controller.ts';
import type { UsbIdentity } from '../drivers/driver.ts';
import type { Logger } from '../log/logger.ts';
import { AutoMounter } from './auto-mount.ts';
import { DockManager, type DockStation } from './dock-manager.ts';
import { pauseAtStageFromEnvironment, type StageHook } from './dock-session.ts';
import { type DetectedVolume, MountWatcher } from './mount-watcher.ts';
import { usbIdentityOfBlockDevice, volumeLabelOf } from './sysfs-pairing.ts';
import type { UsbWatcher } from './usb-watcher.ts';

/** Folders moved in here are docked like volumes: the demo's recorders, and tests without root. */
export const folderDockRoot = (home: string) => path.join(home, 'folder-docks');

export interface DockServiceOptions {
  station: DockStation & { config: { home: string } };
  usb: UsbWatcher;
  logger: Logger;
  /** Where a block device's USB identity comes from; sysfs by default, replaced in tests. */
  identifyUsb?: (source: string | null) => Promise<UsbIdentity | null>;
  /** Block devices the auto-mounter may mount (when `dock.autoMount`); USB devices by default. */
  autoMountCandidates?: () => Promise<string[]>;
  pollMs?: number;
  /** The fault tests' stage hook; `STATION_PAUSE_AT` sets one for a real `station serve`. */
  onStage?: StageHook;
}

/**
 * Dock watching as one service: volumes from the mount watcher become dock sessions; USB hotplug
 * switches recorders to mass storage where their driver can, and a USB detach ends the session of
 * the volume it carried at once, before the kernel drops the mount.
 */
export class DockService implements Service {
  readonly name = 'docks';
  readonly manager: DockManager;
  readonly watcher: MountWatcher;
  private readonly autoMounter: AutoMounter | null;
  private readonly usbOfVolume = new Map<string, UsbIdentity>();

  constructor(private readonly options: DockServiceOptions) {
    const { station, logger } = options;
    this.manager = new DockManager(station, logger, options.onStage ?? pauseAtStageFromEnvironment());
    this.watcher = new MountWatcher({
      mountRoots: station.config.dock.mountRoots,
      folderRoot: folderDockRoot(station.config.home),
      watchMountTable: station.config.dock.watchMountTable,
      settleMs: station.config.dock.settleSeconds * 1000,
      pollMs: options.pollMs,
      logger,
    });
    const [firstRoot] = station.config.dock.mountRoots;
    this.autoMounter =
      station.config.dock.autoMount && firstRoot
        ? new AutoMounter({
            mountRoot: firstRoot,
            logger,
            candidates: options.autoMountCandidates,
            pollMs: options.pollMs,
          })
        : null;
    // Every promise has an owner: a failure to look a volume up is logged, never left unhandled.
    this.watcher.onAppeared((volume) =>
      this.appeared(volume).catch((error) =>
        logger.error({ root: volume.root, err: error }, 'could not dock the volume'),
      ),
    );
    this.watcher.onDisappeared((volume) => this.disappeared(volume.root));
    options.usb.onAttach((device) =>
      this.usbAttached(device).catch((error) =>
        logger.error({ usb: device, err: error }, 'could not handle the USB device'),
      ),
    );
    options.usb.onDetach((device) => this.usbDetached(device));
  }

  async start(): Promise<void> {
    await this.options.usb.start();
    await this.watcher.start();
    await this.autoMounter?.start();
    this.options.logger.info(
      {
        mountRoots: this.options.station.config.dock.mountRoots,
        folderRoot: folderDockRoot(this.options.station.config.home),
      },
      'watching for docked recorders',
    );
  }

  async stop(): Promise<void> {
    // Watching stops first, so sessions end as interrupted by the shutdown, not as pulled recorders.
    await this.watcher.stop();
    this.options.usb.stop();
    await this.manager.stop();
    await this.autoMounter?.stop();
  }

  private async appeared(volume: DetectedVolume): Promise<void> {
    const identify = this.options.identifyUsb ?? usbIdentityOfBlockDevice;
    const usb = volume.origin === 'mount' ? await identify(volume.source) : null;
    const label =
      volume.origin === 'mount' ? ((await volumeLabelOf(volume.source)) ?? path.basename(volume.root)) : null;
    // Pulled out while we looked it up: nothing to dock.
    if (!this.watcher.current().some((seen) => seen.root === volume.root)) return;
    if (usb) this.usbOfVolume.set(volume.root, usb);
    const started = this.manager.dock({ volume: { root: volume.root, label, usb }, origin: volume.origin });
    if (!started) this.options.logger.debug({ root: volume.root }, 'volume already docked');
  }

  private disappeared(root: string): void {
    this.usbOfVolume.delete(root);
    this.manager.undock(root);
  }

  private async usbAttached(device: UsbIdentity): Promise<void> {
    const { logger, station } = this.options;
    logger.info({ usb: device }, 'USB device attached');
    const driver = station.drivers.find((candidate) =>
      candidate.match.usb?.some(
        (id) =>
          id.vendorId === device.vendorId &&
          (id.productId === undefined || id.productId === device.productId),
      ),
    );
    const switchToMassStorage = driver?.capabilities?.switchToMassStorage;
    if (!driver || !switchToMassStorage) return;
    try {
      await switchToMassStorage(device);
      logger.info({ usb: device, driver: driver.id }, 'asked the recorder to expose its storage');
    } catch (error) {
      logger.warn(
        { usb: device, driver: driver.id, err: error },
        'could not switch the recorder to mass storage',
      );
    }
  }

  private usbDetached(device: UsbIdentity): void {
    for (const [root, usb] of this.usbOfVolume) {
      if (usb.busPath && usb.busPath === device.busPath) this.disappeared(root);
    }
  }
}
