import type { Migration } from './index.ts';

// A user is a person with a name, not only a login; an officer's name stays on its 执法人员 record,
// which the account's badge links to. An access request says in words why it is made (事由) and for
// whom (the requesting party: a court, an organ, the party concerned), so the leader who decides and
// the statement that goes with the disc both name them.
export const peopleAndRequests: Migration = {
  version: 13,
  name: 'real names of users, reason and requesting party of access requests',
  sql: `
    ALTER TABLE users ADD COLUMN real_name TEXT;
    ALTER TABLE access_requests ADD COLUMN reason TEXT;
    ALTER TABLE access_requests ADD COLUMN requesting_party TEXT;
  `,
};
