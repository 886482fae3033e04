import type { Migration } from './index.ts';

// Grants are judged at the clock's time but never before the newest entry on the record (a clock set
// back must not reopen an ended grant): the newest time is looked up on every request for footage.
export const auditTime: Migration = {
  version: 18,
  name: 'audit log by time',
  sql: `
    CREATE INDEX audit_log_by_time ON audit_log(at);
  `,
};
