import type { Role } from '../auth/roles.ts';

// Who may do what, in one table: every route names one of these, and a test walks every route as
// every role against it. Footage is viewed only by those art. 27 allows: the officer (own), the clerk
// who checks playback, the leader who approves, and auditors granted access.
export const access = {
  docks: ['officer', 'clerk', 'ops', 'leader', 'auditor', 'admin'],
  ledger: ['officer', 'clerk', 'ops', 'leader', 'auditor'],
  exportLedger: ['clerk', 'leader', 'auditor'],
  viewFootage: ['officer', 'clerk', 'leader', 'auditor'],
  confirm: ['clerk'],
  assignOfficer: ['clerk'],
  devices: ['officer', 'clerk', 'ops', 'leader', 'auditor', 'admin'],
  assignDevice: ['clerk', 'ops'],
  reportFault: ['officer', 'clerk', 'ops'],
  resolveFault: ['ops'],
  alerts: ['clerk', 'ops', 'leader', 'auditor', 'admin'],
  officers: ['clerk', 'ops', 'leader', 'auditor', 'admin'],
  manageOfficers: ['admin'],
  users: ['admin'],
  // Compliance (art. 4, 18, 22, 24, 30): cases and statistics span officers, so officers see only
  // their own interruptions; deletion needs two people, ops proposing and a leader approving.
  cases: ['clerk', 'ops', 'leader', 'auditor'],
  manageCases: ['clerk'],
  decideCases: ['clerk', 'leader'],
  statistics: ['clerk', 'ops', 'leader', 'auditor'],
  retention: ['clerk', 'ops', 'leader', 'auditor'],
  proposeDeletion: ['ops'],
  decideDeletion: ['leader'],
  cancelDeletion: ['ops', 'leader'],
  interruptions: ['officer', 'clerk', 'ops', 'leader', 'auditor'],
  explainInterruption: ['officer'],
  acceptInterruption: ['clerk'],
  // Custody (art. 25, 27, 28): anyone but the admin may ask to view or copy footage and a leader
  // decides (never on their own request); the disc is made by the grant holder or the clerk (checked
  // per request, src/custody/release-rules.ts). The admin keeps accounts and is never in the footage
  // path. Integrity is read-only.
  accessRequests: ['officer', 'clerk', 'ops', 'leader', 'auditor'],
  decideAccess: ['leader'],
  exportEvidence: ['officer', 'clerk', 'ops', 'leader', 'auditor'],
  // An account in a footage role and moving a recording to another officer wait for a leader.
  confirmAccounts: ['leader'],
  requestReassignment: ['clerk'],
  decideReassignment: ['leader'],
  integrity: ['ops', 'leader', 'auditor', 'admin'],
  // The district view (`station district serve`) has its own users: a leader, auditors and clerks
  // see every station's health, ledger and figures; footage needs a grant a leader approved, for
  // everyone, a leader included.
  districtOverview: ['clerk', 'leader', 'auditor'],
  districtFootage: ['clerk', 'leader', 'auditor'],
  districtDecideAccess: ['leader'],
  anyone: ['officer', 'clerk', 'ops', 'leader', 'auditor', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof access;

export function allows(permission: Permission, role: Role): boolean {
  return (access[permission] as readonly Role[]).includes(role);
}
