import { core } from './001-core.ts';
import { peopleAndAudit } from './002-people-and-audit.ts';
import { dashboard } from './003-dashboard.ts';
import { custody } from './004-custody.ts';
import { compliance } from './005-compliance.ts';
import { interruptions } from './006-interruptions.ts';
import { dockSessionStates } from './007-dock-session-states.ts';
import { releaseAndAnchors } from './008-release-and-anchors.ts';
import { tokenExpiry } from './009-token-expiry.ts';
import { districtOutbox } from './010-district-outbox.ts';
import { spokenReasons } from './011-spoken-reasons.ts';
import { notesReturnsAlertActions } from './012-notes-returns-alert-actions.ts';
import { peopleAndRequests } from './013-people-and-requests.ts';
import { districtDeletions } from './014-district-deletions.ts';
import { dockBattery } from './015-dock-battery.ts';
import { auditTime } from './018-audit-time.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Append only: a migration that has shipped is never edited, a new version follows it.
export const migrations: Migration[] = [
  core,
  peopleAndAudit,
  dashboard,
  custody,
  compliance,
  interruptions,
  dockSessionStates,
  releaseAndAnchors,
  tokenExpiry,
  districtOutbox,
  spokenReasons,
  notesReturnsAlertActions,
  peopleAndRequests,
  districtDeletions,
  dockBattery,
  auditTime,
];
