import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type DockedVolume, defineDriver } from '../drivers/driver.ts';

// A recorder family that exists only in software, for the demo, tests and benchmarks. Its "firmware"
// is a JSON marker file at the volume root; the capabilities read and write it as a real driver
// would talk to the device, so the dock's clock, battery and identity checks run without hardware.
// Its setClock writes to the docked volume and its identity is whatever the marker says, so it is not
// in drivers/: a station loads it only when `dock.simulatedRecorders` is on (demo and tests), never
// for a real recorder that happens to carry the marker.
export const simulatedMarker = 'SIMULATED.REC';

export interface SimulatedRecorderState {
  serial: string;
  badge: string;
  model: string;
  /** The recorder's clock minus true time: how far its clock is off. */
  clockOffsetSeconds: number;
  batteryPercent: number;
}

export async function readSimulatedState(
  volume: Pick<DockedVolume, 'root'>,
): Promise<SimulatedRecorderState> {
  return JSON.parse(
    await readFile(path.join(volume.root, simulatedMarker), 'utf8'),
  ) as SimulatedRecorderState;
}

export async function writeSimulatedState(root: string, state: SimulatedRecorderState): Promise<void> {
  await writeFile(path.join(root, simulatedMarker), `${JSON.stringify(state, null, 2)}\n`);
}

export const simulatedDriver = defineDriver({
  id: 'simulated',
  name: 'Simulated recorder (模拟执法记录仪, demo and tests)',
  priority: 50,
  source: 'src/dock/simulated-driver.ts',
  match: { markerPaths: [simulatedMarker] },
  recordingRoots: ['DCIM', 'RECORD', 'PHOTO'],
  fileNames: ['{serial}_{badge}_{start:YYYYMMDDHHmmss}_{seq}.{ext}'],
  creationTime: 'utc',
  capabilities: {
    async readIdentity(volume) {
      const state = await readSimulatedState(volume);
      return { serial: state.serial, badge: state.badge, model: state.model };
    },
    async readClock(volume) {
      const state = await readSimulatedState(volume);
      return new Date(Date.now() + state.clockOffsetSeconds * 1000);
    },
    async setClock(volume, now) {
      const state = await readSimulatedState(volume);
      await writeSimulatedState(volume.root, {
        ...state,
        clockOffsetSeconds: Math.round((now.getTime() - Date.now()) / 1000),
      });
    },
    async readBatteryPercent(volume) {
      return (await readSimulatedState(volume)).batteryPercent;
    },
  },
});
