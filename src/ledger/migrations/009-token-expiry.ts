import type { Migration } from './index.ts';

// An API token that never expires outlives the system it was made for. Every token now has an end;
// tokens made before this version get the default lifetime counted from their creation.
export const tokenExpiry: Migration = {
  version: 9,
  name: 'API tokens expire',
  sql: `
    ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
    UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+90 days');
  `,
};
