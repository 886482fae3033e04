// A recorder family is data: how to recognise it, where its footage lives, how its names read.
// Functions appear only for capabilities that need to talk to the device.

export interface UsbIdentity {
  vendorId: number;
  productId: number;
  serial: string | null;
  busPath: string | null;
}

/** What the station knows about a docked volume when it picks a driver. */
export interface DockedVolume {
  root: string;
  label: string | null;
  usb: UsbIdentity | null;
}

export interface DriverMatch {
  /** USB vendor/product ids (product optional) that identify the family. */
  usb?: { vendorId: number; productId?: number }[];
  /** Regular expressions (case-insensitive) tested against the volume label. */
  volumeLabels?: string[];
  /** Paths relative to the volume root that exist only on this family's recorders. */
  markerPaths?: string[];
  /** Claim a volume when one of its recordings is named by the driver's templates. */
  fileNames?: boolean;
  /** Claims every volume; only the generic fallback should. */
  any?: boolean;
}

export interface RecorderCapabilities {
  /** The recorder's own clock, read while docked. */
  readClock?(volume: DockedVolume): Promise<Date>;
  setClock?(volume: DockedVolume, now: Date): Promise<void>;
  readBatteryPercent?(volume: DockedVolume): Promise<number | null>;
  /** GA/T 947 U盘模式: ask the recorder to expose its storage. */
  switchToMassStorage?(usb: UsbIdentity): Promise<void>;
  /** Serial, badge and user as the recorder itself reports them. */
  readIdentity?(volume: DockedVolume): Promise<{ serial?: string; badge?: string; model?: string } | null>;
}

export interface RecorderDriver {
  /** Stable id, stored on devices and docks. */
  id: string;
  name: string;
  /** Higher wins when several drivers match. */
  priority: number;
  match: DriverMatch;
  /** Folders (relative to the volume root) that hold recordings; default: the whole volume. */
  recordingRoots?: string[];
  /**
   * File name templates, tried in order, e.g. `{serial}_{badge}_{start:YYYYMMDDHHmmss}_{seq}.{ext}`.
   * Fields: serial, badge, start:FORMAT (YYYY MM DD HH mm ss), seq, ext, any.
   */
  fileNames?: string[];
  /** How the family writes MP4 `creation_time`: true UTC, or its local wall time marked as UTC. */
  creationTime: 'utc' | 'local';
  /**
   * How its file modification times read on the station: 'utc' (default) trusts the kernel; 'local' for
   * a family that writes its wall time into FAT, which the kernel reads as UTC.
   */
  fileSystemTime?: 'utc' | 'local';
  capabilities?: RecorderCapabilities;
  /** Where the definition came from (a file in drivers/ or config/drivers/). */
  source?: string;
}

export function defineDriver(driver: RecorderDriver): RecorderDriver {
  return driver;
}
