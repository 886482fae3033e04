import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

const privateFolder = 0o700;
const privateFile = 0o600;

// Only the owner may change a mode; another account that can open the home anyway is left alone.
function tighten(file: string, mode: number): void {
  try {
    chmodSync(file, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/**
 * The station's data folder holds footage, password hashes and exports: no other account on the PC
 * may read it. The folder is made (or put back to) 0700 and the database 0600 before SQLite opens it;
 * SQLite gives its -wal and -shm files the database file's mode. Older installs are tightened here.
 */
export function preparePrivateHome(home: string, databaseFile: string, exportsFolder: string): void {
  mkdirSync(home, { recursive: true, mode: privateFolder });
  tighten(home, privateFolder);
  mkdirSync(exportsFolder, { recursive: true, mode: privateFolder });
  tighten(exportsFolder, privateFolder);
  if (!existsSync(databaseFile)) closeSync(openSync(databaseFile, 'a', privateFile));
  for (const file of [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`])
    if (existsSync(file)) tighten(file, privateFile);
}
