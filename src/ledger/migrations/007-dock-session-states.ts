import type { Migration } from './index.ts';

// The dock state "verifying" meant "playback checks running" while a recording's verified_at means
// "read-back matched"; it is renamed for what it means. A dock's end now carries a reason code that
// the catalogues translate (dash.dockReason.*); old final rows get the reason their detail stated.
export const dockSessionStates: Migration = {
  version: 7,
  name: 'dock states named for what they mean, with a translated reason',
  sql: `
    ALTER TABLE docks ADD COLUMN reason TEXT;
    UPDATE docks SET state = 'checking-playback' WHERE state = 'verifying';
    UPDATE docks SET reason = 'device-removed' WHERE state = 'device-removed';
    UPDATE docks SET reason = 'station-stopped' WHERE state = 'interrupted';
    UPDATE docks SET reason = 'archive-full' WHERE state = 'failed' AND detail LIKE 'archive disk is full%';
    UPDATE docks SET reason = 'unexpected-error' WHERE state = 'failed' AND reason IS NULL;
  `,
};
