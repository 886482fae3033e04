import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeRoot, projectRoot } from '../config/config.ts';
import { jsonProblem } from '../i18n/schema-problem.ts';
import { type Message, TranslatedError } from '../i18n/translated-error.ts';
import type { DockedVolume, RecorderDriver } from './driver.ts';
import { type CompiledTemplate, compileTemplate, parseFileName } from './file-name-template.ts';

/** A driver ready to use: its templates compiled once. */
export interface LoadedDriver extends RecorderDriver {
  templates: CompiledTemplate[];
}

/** A driver set the station cannot use; start-up stops with this message (exit code 2). */
export class DriverError extends TranslatedError {}

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
  for (const folder of folders.json ?? []) drivers.push(...(await loadJsonDrivers(folder)));
  return prepareDrivers(drivers);
}

async function loadCodeDrivers(folder: string): Promise<RecorderDriver[]> {
  const files = readdirSync(folder).filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts'));
  const drivers: RecorderDriver[] = [];
  for (const file of files.sort()) {
    const module = (await import(pathToFileURL(path.join(folder, file)).href)) as {
      default?: RecorderDriver;
    };
    if (!module.default) throw new DriverError({ key: 'driver.error.noDefault', values: { file } });
    // Named by its source file, the one a person edits, also when it runs compiled.
    drivers.push({ ...module.default, source: path.join('drivers', file.replace(/\.js$/, '.ts')) });
  }
  return drivers;
}

async function loadJsonDrivers(folder: string): Promise<RecorderDriver[]> {
  const names = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.json')) : [];
  if (names.length === 0) return [];
  // Only now: the schema needs TypeBox, some 200 modules, which a station without JSON drivers never loads.
  const { jsonDriverProblem } = await import('./json-driver.ts');
  return names.sort().map((name) => {
    const file = path.join(folder, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new DriverError({ key: 'driver.error.notJson', values: { file, problem: jsonProblem(error) } });
    }
    const problem = jsonDriverProblem(parsed);
    if (problem) throw new DriverError({ key: 'driver.error.invalid', values: { file, problem } });
    return { ...(parsed as RecorderDriver), source: file };
  });
}

/** Compiles templates and refuses ambiguous sets: duplicate ids, or two drivers claiming the same thing. */
export function prepareDrivers(drivers: RecorderDriver[]): LoadedDriver[] {
  const ids = new Set<string>();
  const claims = new Map<string, string>();
  const loaded: LoadedDriver[] = [];
  for (const driver of drivers) {
    if (ids.has(driver.id)) throw new DriverError({ key: 'driver.error.sameId', values: { id: driver.id } });
    ids.add(driver.id);
    for (const { key, claim } of matcherKeys(driver)) {
      const other = claims.get(key);
      if (other)
        throw new DriverError({ key: 'driver.error.sameClaim', values: { other, id: driver.id, claim } });
      claims.set(key, driver.id);
    }
    try {
      loaded.push({ ...driver, templates: (driver.fileNames ?? []).map(compileTemplate) });
    } catch (error) {
      const problem: Message | string =
        error instanceof TranslatedError && error.key
          ? { key: error.key, values: error.values }
          : (error as Error).message;
      throw new DriverError({ key: 'driver.error.template', values: { id: driver.id, problem } });
    }
  }
  if (!loaded.some((driver) => driver.match.any)) throw new DriverError({ key: 'driver.error.noFallback' });
  return loaded.sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
}

// Two drivers at the same priority with the same matcher would make the choice depend on load order.
// `key` tells claims apart; `claim` says the same to a person.
function matcherKeys(driver: RecorderDriver): { key: string; claim: Message }[] {
  const claim = (kind: string, what: string) => ({
    key: `${kind} ${what} ${driver.priority}`,
    claim: { key: `driver.claim.${kind}` as Message['key'], values: { what, priority: driver.priority } },
  });
  return [
    ...(driver.match.usb ?? []).map((id) =>
      claim('usb', `${hex(id.vendorId)}:${id.productId === undefined ? '*' : hex(id.productId)}`),
    ),
    ...(driver.match.volumeLabels ?? []).map((label) => claim('volumeLabel', `/${label.toLowerCase()}/`)),
    ...(driver.match.markerPaths ?? []).map((marker) => claim('marker', marker.toLowerCase())),
    ...(driver.match.fileNames
      ? (driver.fileNames ?? []).map((template) => claim('fileNames', template))
      : []),
    ...(driver.match.any ? [claim('any', '*')] : []),
  ];
}

const hex = (value: number) => value.toString(16).padStart(4, '0');

/** The highest-priority driver that claims the volume; the generic fallback claims all. */
export function chooseDriver(
  drivers: LoadedDriver[],
  volume: DockedVolume,
  sampleNames: string[],
): LoadedDriver {
  const found = drivers.find((driver) => claims(driver, volume, sampleNames));
  if (!found) throw new DriverError({ key: 'driver.error.noMatch' });
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
