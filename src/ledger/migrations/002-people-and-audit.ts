import type { Migration } from './index.ts';

export const peopleAndAudit: Migration = {
  version: 2,
  name: 'dashboard users and the hash-chained audit log',
  sql: `
    CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('officer', 'clerk', 'ops', 'leader', 'auditor', 'admin')),
      badge TEXT,
      password_hash TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    );

    -- Append-only: each entry's hash covers its content and the previous entry's hash.
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject_type TEXT,
      subject_id TEXT,
      detail TEXT NOT NULL DEFAULT '{}',
      previous_hash TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE
    );
    CREATE INDEX audit_log_by_subject ON audit_log(subject_type, subject_id);
  `,
};
