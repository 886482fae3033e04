import type { Role } from '../auth/roles.ts';
import type { User } from '../auth/users.ts';

// Art. 27 and the two-person rule in one place: who may ask for footage, who decides, who takes the
// disc. Routes and commands ask these; none of them decides on its own. Each returns the reason for a
// refusal (English, for the audit log), or null when the act is allowed.

/** Roles that see footage somewhere (own recordings, duty, or a grant); the admin is never one of them. */
export const footageRoles: readonly Role[] = ['officer', 'clerk', 'leader', 'auditor'];

/** Roles whose decision on an access request counts (art. 27: the leader's prior approval). */
export const deciderRoles: readonly Role[] = ['leader'];

export function givesFootageRights(role: Role): boolean {
  return footageRoles.includes(role);
}

/** The administrator keeps accounts; asking for footage is for the people whose work needs it. */
export function refusesRequest(user: User): string | null {
  if (user.disabled) return `user ${user.name} is not active`;
  if (user.role === 'admin')
    return `${user.name} is an administrator; administrators are not in the footage path`;
  return null;
}

/** A leader decides, and never on a request of their own: requester and approver are two people. */
export function refusesDecision(
  decider: User | null,
  name: string,
  request: { id: number; user: string; state: string },
): string | null {
  if (!decider) return `no user named "${name}"`;
  if (decider.disabled) return `user ${decider.name} is not active`;
  if (!deciderRoles.includes(decider.role))
    return `${decider.name} (${decider.role}) may not decide access requests; a leader must`;
  if (decider.name === request.user)
    return `${decider.name} requested #${request.id} and may not decide it; another leader must`;
  if (request.state !== 'pending') return `request #${request.id} is already ${request.state}`;
  return null;
}

/** The disc is made by the grant holder or by the archive clerk on their behalf (art. 25); never an admin. */
export function refusesExport(
  user: { name: string; role: Role; disabled?: boolean },
  request: { user: string },
) {
  if (user.disabled) return `user ${user.name} is not active`;
  if (user.role === 'admin')
    return `${user.name} is an administrator; administrators are not in the footage path`;
  if (user.role === 'clerk' || user.name === request.user) return null;
  return `${user.name} is neither the requester (${request.user}) nor the archive clerk`;
}

/** Leaders, auditors and clerks oversee every request; everyone else sees their own. */
export function seesAllRequests(role: Role): boolean {
  return role === 'leader' || role === 'auditor' || role === 'clerk';
}

/** A leader, not the one who asked, approves moving a recording to another officer. */
export function refusesReassignmentDecision(decider: User, requestedBy: string): string | null {
  if (decider.disabled) return `user ${decider.name} is not active`;
  if (decider.role !== 'leader')
    return `${decider.name} (${decider.role}) may not approve reassignments; a leader must`;
  if (decider.name === requestedBy)
    return `${decider.name} asked for this reassignment; another leader must decide`;
  return null;
}

/** Confirming an account that gives footage rights: an active leader other than the account itself. */
export function refusesAccountConfirmation(leader: User, account: User): string | null {
  if (leader.disabled) return `user ${leader.name} is not active`;
  if (leader.role !== 'leader')
    return `${leader.name} (${leader.role}) may not confirm accounts; a leader must`;
  if (leader.id === account.id) return `${leader.name} may not confirm their own account`;
  return null;
}
