import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { codeRoot, projectRoot } from '../config/config.ts';
import type { DockedVolume, RecorderDriver } from './driver.ts';
import { type CompiledTemplate, compileTemplate, parseFileName } from './file-name-template.ts';

/** A driver ready to use: its templates compiled once. */
export interface LoadedDriver extends RecorderDriver {
  templates: CompiledTemplate[];
}

// JSON definitions carry the same data as TypeScript ones, without capability functions.
const JsonDriverSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    name: Type.String({ minLength: 1 }),
    priority: Type.Integer(),
    match: Type.Object(
      {
        usb: Type.Optional(
          Type.Array(Type.Object({ vendorId: Type.Integer(), productId: Type.Optional(Type.Integer()) })),
        ),
        volumeLabels: Type.Optional(Type.Array(Type.String())),
        markerPaths: Type.Optional(Type.Array(Type.String())),
        fileNames: Type.Optional(Type.Boolean()),
        any: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    recordingRoots: Type.Optional(Type.Array(Type.String())),
    fileNames: Type.Optional(Type.Array(Type.String())),
    creationTime: Type.Union([Type.Literal('utc'), Type.Literal('local')]),
    fileSystemTime: Type.Optional(Type.Union([Type.Literal('utc'), Type.Literal('local')])),
  },
  { additionalProperties: false },
);
type JsonDriver = Static<typeof JsonDriverSchema>;

export class DriverError extends Error {}

// Code drivers run as compiled with the station (dist/drivers/*.js), or as sources under the test runner.
export const builtInDriverFolder = path.join(codeRoot, 'drivers');
export const stationDriverFolder = path.join(projectRoot, 'config', 'drivers');

export async function loadDrivers(
  folders: { code?: string; json?: string[] } = { code: builtInDriverFolder, json: [stationDriverFolder] },
  /** Definitions from elsewhere in the code, such as the demo's simulated family. */
  extra: RecorderDriver[] = [],
): Promise<LoadedDriver[]> {
  const drivers: RecorderDriver[] = [...extra];
  if (folders.code) drivers.push(...(await loadCodeDrivers(folders.code)));
  for (const folder of folders.json ?? []) drivers.push(...loadJsonDrivers(folder));
  return prepareDrivers(drivers);
}

async function loadCodeDrivers(folder: string): Promise<RecorderDriver[]> {
  const files = readdirSync(folder).filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts'));
  const drivers: RecorderDriver[] = [];
  for (const file of files.sort()) {
    const module = (await import(pathToFileURL(path.join(folder, file)).href)) as {
      default?: RecorderDriver;
    };
    if (!module.default) throw new DriverError(`${file} in drivers/ has no default export`);
    // Named by its source file, the one a person edits, also when it runs compiled.
    drivers.push({ ...module.default, source: path.join('drivers', file.replace(/\.js$/, '.ts')) });
  }
  return drivers;
}

function loadJsonDrivers(folder: string): RecorderDriver[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = path.join(folder, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new DriverError(`driver ${file} is not valid JSON: ${(error as Error).message}`);
      }
      const problem = Value.Errors(JsonDriverSchema, parsed).First();
      if (problem) throw new DriverError(`driver ${file}: ${problem.path || '(root)'} ${problem.message}`);
      return { ...(parsed as JsonDriver), source: file };
    });
}

/** Compiles templates and refuses ambiguous sets: duplicate ids, or two drivers claiming the same thing. */
export function prepareDrivers(drivers: RecorderDriver[]): LoadedDriver[] {
  const ids = new Set<string>();
  const claims = new Map<string, string>();
  const loaded: LoadedDriver[] = [];
  for (const driver of drivers) {
    if (ids.has(driver.id)) throw new DriverError(`two drivers share the id "${driver.id}"`);
    ids.add(driver.id);
    for (const claim of matcherKeys(driver)) {
      const other = claims.get(claim);
      if (other) throw new DriverError(`drivers "${other}" and "${driver.id}" both match ${claim}`);
      claims.set(claim, driver.id);
    }
    try {
      loaded.push({ ...driver, templates: (driver.fileNames ?? []).map(compileTemplate) });
    } catch (error) {
      throw new DriverError(`driver "${driver.id}": ${(error as Error).message}`);
    }
  }
  if (!loaded.some((driver) => driver.match.any))
    throw new DriverError('no fallback driver (match.any) is defined');
  return loaded.sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
}

// Two drivers at the same priority with the same matcher would make the choice depend on load order.
function matcherKeys(driver: RecorderDriver): string[] {
  const at = `priority ${driver.priority}`;
  const keys = [
    ...(driver.match.usb ?? []).map(
      (id) => `usb ${hex(id.vendorId)}:${id.productId === undefined ? '*' : hex(id.productId)}`,
    ),
    ...(driver.match.volumeLabels ?? []).map((label) => `volume label /${label.toLowerCase()}/`),
    ...(driver.match.markerPaths ?? []).map((marker) => `marker ${marker.toLowerCase()}`),
    ...(driver.match.fileNames ? (driver.fileNames ?? []).map((template) => `file names ${template}`) : []),
    ...(driver.match.any ? ['every volume'] : []),
  ];
  return keys.map((key) => `${key} at ${at}`);
}

const hex = (value: number) => value.toString(16).padStart(4, '0');

/** The highest-priority driver that claims the volume; the generic fallback claims all. */
export function chooseDriver(
  drivers: LoadedDriver[],
  volume: DockedVolume,
  sampleNames: string[],
): LoadedDriver {
  const found = drivers.find((driver) => claims(driver, volume, sampleNames));
  if (!found) throw new DriverError('no driver matched and no fallback is loaded');
  return found;
}

function claims(driver: LoadedDriver, volume: DockedVolume, sampleNames: string[]): boolean {
  const { match } = driver;
  if (match.any) return true;
  if (volume.usb && match.usb?.some((id) => matchesUsb(id, volume.usb!))) return true;
  if (volume.label && match.volumeLabels?.some((label) => new RegExp(label, 'i').test(volume.label!)))
    return true;
  if (match.markerPaths?.some((marker) => existsSync(path.join(volume.root, marker)))) return true;
  if (match.fileNames && sampleNames.some((name) => parseFileName(driver.templates, name))) return true;
  return false;
}

function matchesUsb(
  id: { vendorId: number; productId?: number },
  usb: { vendorId: number; productId: number },
) {
  return id.vendorId === usb.vendorId && (id.productId === undefined || id.productId === usb.productId);
}
