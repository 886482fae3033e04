import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileProblem, jsonProblem, schemaProblem } from '../i18n/schema-problem.ts';
import { TranslatedError } from '../i18n/translated-error.ts';
import { isValidTimeZone } from '../time/zone.ts';
import { firstConfigProblem } from './config-check.ts';
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
export class ConfigError extends TranslatedError {}

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
  if (firstError) throw new ConfigError(schemaProblem(firstError));
  const config = candidate as StationConfig;
  if (!isValidTimeZone(config.station.timezone)) {
    throw new ConfigError({ key: 'config.error.timezone', values: { zone: config.station.timezone } });
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
      throw new ConfigError({
        key: 'config.error.tlsFile',
        values: { key, file, problem: fileProblem(error) },
      });
    }
  }
  try {
    // Loaded only here: node:tls is 5 ms of every command's start, and most stations have no TLS.
    const { createSecureContext } = process.getBuiltinModule('node:tls');
    createSecureContext({ cert: pem.certFile, key: pem.keyFile });
  } catch (error) {
    throw new ConfigError({ key: 'config.error.tlsPair', values: { detail: (error as Error).message } });
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError({ key: 'config.error.unreadable', values: { file, problem: fileProblem(error) } });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError({ key: 'config.error.notJson', values: { file, problem: jsonProblem(error) } });
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
