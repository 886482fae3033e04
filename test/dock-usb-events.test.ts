import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSimulatedRecorder } from '../src/dock/simulated-recorder.ts';
import type { UsbIdentity } from '../src/drivers/driver.ts';
import { prepareDrivers } from '../src/drivers/registry.ts';
import { findDock } from '../src/ledger/docks.ts';
import { type DockStation, mediaRoot, startDockStation } from './helpers/dock-station.ts';
import { ExfatVolume } from './helpers/exfat-volume.ts';
import { temporaryFolder } from './helpers/station-cli.ts';
import { until } from './helpers/until.ts';

// USB hotplug is played through the adapter's interface (FakeUsbWatcher); the volume is a real exFAT
// image whose sysfs pairing is stubbed, since a loop device has no USB parent.
const recorderUsb: UsbIdentity = { vendorId: 0x2a5f, productId: 0x0101, serial: 'USB0001', busPath: '1-4' };

describe('USB events reaching the dock through the adapter interface', () => {
  let dock: DockStation;
  let scratch: { path: string; remove(): Promise<void> };
  let volume: ExfatVolume;
  const switched: UsbIdentity[] = [];

  beforeAll(async () => {
    scratch = await temporaryFolder('usb');
    const content = path.join(scratch.path, 'content');
    await writeSimulatedRecorder(content, {
      serial: 'DSJ0041',
      badge: '100234',
      start: new Date(Date.now() - 3600_000),
      segments: 3,
      segmentSeconds: 3,
      clockOffsetSeconds: 0,
      timezone: 'Asia/Shanghai',
    });
    volume = await ExfatVolume.create(path.join(scratch.path, 'usb.img'), { label: 'USBREC' });
    await volume.fill(content, path.join(scratch.path, 'staging'));
    dock = await startDockStation({
      identifyUsb: async (source) => (source === volume.loopDevice ? recorderUsb : null),
    });
    const [withUsb] = prepareDrivers([
      { id: 'generic-test', name: 'fallback', priority: -1, match: { any: true }, creationTime: 'utc' },
      {
        id: 'usb-family',
        name: 'A family that needs switching to mass storage',
        priority: 60,
        match: { usb: [{ vendorId: recorderUsb.vendorId }] },
        creationTime: 'utc',
        capabilities: { switchToMassStorage: async (usb) => void switched.push(usb) },
      },
    ]).filter((driver) => driver.id === 'usb-family');
    dock.station.drivers.unshift(withUsb);
  });

  afterAll(async () => {
    await volume.destroy();
    await dock.close();
    await scratch.remove();
  });

  it('asks a recorder whose driver knows how to switch to mass storage when it is plugged in', async () => {
    dock.usb.plug(recorderUsb);
    await until(() => switched.length > 0);
    expect(switched).toEqual([recorderUsb]);
    dock.usb.plug({ ...recorderUsb, vendorId: 0x1111, busPath: '1-5' });
    expect(switched).toHaveLength(1);
  });

  it('ends the session of the volume a USB device carried as soon as that device is unplugged', async () => {
    const mountPoint = path.join(mediaRoot(dock), 'USBREC');
    const stop = dock.station.events.on('file.progress', () => {
      stop();
      dock.usb.unplug({ ...recorderUsb, serial: null });
    });
    const ended = dock.dockEnded(mountPoint);
    await volume.mount(mountPoint);
    const done = await ended;
    expect(done.state).toBe('device-removed');
    const row = findDock(dock.station.db, done.dockId)!;
    expect(row.driver).toBe('usb-family');
    expect(dock.station.db.prepare('SELECT COUNT(*) FROM copies_in_flight').pluck().get()).toBe(0);
  });
});
