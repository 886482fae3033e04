import type { Migration } from './index.ts';

// Three things people now read or do that the rows could not hold:
// - a dock file's note as a code with values (`note`, JSON), which the catalogues word; `reason`
//   keeps the technical English for the log and the JSON. Old "already archived" rows get theirs.
// - art. 18: a clerk may send an interruption's explanation back to the officer, with a reason.
// - alerts stay computed (src/compliance/alerts.ts); what people did about one is kept here, one row
//   per act (acknowledged, assigned), never updated.
export const notesReturnsAlertActions: Migration = {
  version: 12,
  name: 'dock file notes, interruptions sent back, alert actions',
  sql: `
    ALTER TABLE dock_files ADD COLUMN note TEXT;
    UPDATE dock_files SET note = json_object('code', 'already-archived', 'values', json_object('id', recording_id))
      WHERE state = 'known' AND recording_id IS NOT NULL;

    ALTER TABLE interruptions ADD COLUMN returned_by TEXT;
    ALTER TABLE interruptions ADD COLUMN returned_at TEXT;
    ALTER TABLE interruptions ADD COLUMN return_reason TEXT;

    CREATE TABLE alert_actions (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      subject TEXT NOT NULL,
      -- The alert's severity when it was acted on: an alert that grows worse is open again.
      severity TEXT NOT NULL,
      action TEXT NOT NULL CHECK (action IN ('acknowledged', 'assigned')),
      by_user TEXT NOT NULL,
      assignee TEXT,
      reason TEXT NOT NULL,
      at TEXT NOT NULL
    );
    CREATE INDEX alert_actions_subject ON alert_actions (kind, subject, id);
  `,
};
