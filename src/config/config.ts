import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidTimeZone } from '../time/zone.ts';
import { type ConfigProblem, firstConfigProblem } from './config-check.ts';
import type { StationConfig } from './schema.ts';

export type { StationConfig } from './schema.ts';

/** The folder of src/ and drivers/ this code runs from: the checkout itself, or dist/ once built. */
export const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The checkout (config/, data/): the code root, or its parent when the code runs compiled from dist/. */
export const projectRoot = existsSync(path.join(codeRoot, 'package.json'))
  ? codeRoot
  : path.dirname(codeRoot);
const defaultConfigPath = path.join(projectRoot, 'config', 'default.json');

/** A setting that cannot be used; start-up stops with this message (exit code 2). */
export class ConfigError extends Error {}

export interface LoadedConfig extends StationConfig {
  /** The data folder ($STATION_HOME, default ./data), absolute. */
  home: string;
  /** Where the configuration came from, for the log. */
  sources: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const { merged, sources } = readConfigFiles(env);
  const config = validate(merged);
  const home = path.resolve(env.STATION_HOME || 'data');
  return { ...config, home, sources };
}

/**
 * The configured `station.language`, the rest unchecked: `station --help` and a usage error speak
 * the station's language even when another setting is wrong (which the command then reports in it).
 */
export function configuredLanguage(
  env: NodeJS.ProcessEnv = process.env,
): StationConfig['station']['language'] {
  try {
    const language = (readConfigFiles(env).merged as { station?: { language?: unknown } }).station?.language;
    if (language === 'en' || language === 'zh-CN') return language;
  } catch {
    // The command itself reports the unreadable file.
  }
  return 'zh-CN';
}

function readConfigFiles(env: NodeJS.ProcessEnv): { merged: unknown; sources: string[] } {
  const sources = [defaultConfigPath];
  let merged: unknown = readJson(defaultConfigPath);
  if (env.STATION_CONFIG) {
    const overridePath = path.resolve(env.STATION_CONFIG);
    merged = deepMerge(merged, readJson(overridePath));
    sources.push(overridePath);
  }
  return { merged, sources };
}

export function validate(candidate: unknown): StationConfig {
  const firstError = firstConfigProblem(candidate);
  if (firstError) {
    const key = firstError.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    throw new ConfigError(`configuration key "${key}": ${describeError(firstError)}`);
  }
  const config = candidate as StationConfig;
  if (!isValidTimeZone(config.station.timezone)) {
    throw new ConfigError(
      `configuration key "station.timezone": "${config.station.timezone}" is not an IANA time zone (e.g. Asia/Shanghai)`,
    );
  }
  if (config.http.tls) checkTlsFiles(config.http.tls);
  return config;
}

// The listener would fail only at start-up with a TLS library message; say which key is wrong instead.
function checkTlsFiles(tls: { certFile: string; keyFile: string }): void {
  const files = { certFile: tls.certFile, keyFile: tls.keyFile };
  const pem: Record<string, string> = {};
  for (const [key, file] of Object.entries(files)) {
    try {
      pem[key] = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `configuration key "http.tls.${key}": cannot read ${file}: ${(error as Error).message}`,
      );
    }
  }
  try {
    // Loaded only here: node:tls is 5 ms of every command's start, and most stations have no TLS.
    const { createSecureContext } = process.getBuiltinModule('node:tls');
    createSecureContext({ cert: pem.certFile, key: pem.keyFile });
  } catch (error) {
    throw new ConfigError(
      `configuration keys "http.tls.certFile" and "http.tls.keyFile": not a certificate and its key (${(error as Error).message})`,
    );
  }
}

function describeError(error: ConfigProblem): string {
  const allowed = error.schema.description ? ` (${error.schema.description})` : '';
  const got = error.value === undefined ? 'missing' : `got ${JSON.stringify(error.value)}`;
  return `${error.message}${allowed}; ${got}`;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Objects merge key by key; arrays and scalars from the override replace the default.
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) result[key] = deepMerge(base[key], value);
  return result;
}
