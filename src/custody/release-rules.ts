import type { Role } from '../auth/roles.ts';
import type { User } from '../auth/users.ts';
import { label, type Message } from '../i18n/translated-error.ts';

// Art. 27 and the two-person rule in one place: who may ask for footage, who decides, who takes the
// disc. Routes and commands ask these; none of them decides on its own. Each returns the reason for a
// refusal as a catalogue message (the audit log keeps its English, people read it in their language),
// or null when the act is allowed.

/** Why an act is refused: a message key and its values. */
export type Refusal = Message;

const inactive = (name: string): Refusal => ({ key: 'refusal.inactive', values: { name } });

/** Roles that see footage somewhere (own recordings, duty, or a grant); the admin is never one of them. */
export const footageRoles: readonly Role[] = ['officer', 'clerk', 'leader', 'auditor'];

/** Roles whose decision on an access request counts (art. 27: the leader's prior approval). */
export const deciderRoles: readonly Role[] = ['leader'];

export function givesFootageRights(role: Role): boolean {
  return footageRoles.includes(role);
}

/** The administrator keeps accounts; asking for footage is for the people whose work needs it. */
export function refusesRequest(user: User): Refusal | null {
  if (user.disabled) return inactive(user.name);
  if (user.role === 'admin') return { key: 'refusal.administrator', values: { name: user.name } };
  return null;
}

/** A leader decides, and never on a request of their own: requester and approver are two people. */
export function refusesDecision(
  decider: User | null,
  name: string,
  request: { id: number; user: string; state: string },
): Refusal | null {
  if (!decider) return { key: 'refusal.noUser', values: { name } };
  if (decider.disabled) return inactive(decider.name);
  if (!deciderRoles.includes(decider.role))
    return {
      key: 'refusal.notDecider',
      values: { name: decider.name, role: label('dash.role.', decider.role) },
    };
  if (decider.name === request.user)
    return { key: 'refusal.ownRequest', values: { name: decider.name, id: request.id } };
  if (request.state !== 'pending')
    return {
      key: 'refusal.alreadyDecided',
      values: { id: request.id, state: label('dash.access.state.', request.state) },
    };
  return null;
}

/** The disc is made by the grant holder or by the archive clerk on their behalf (art. 25); never an admin. */
export function refusesExport(
  user: { name: string; role: Role; disabled?: boolean },
  request: { user: string },
): Refusal | null {
  if (user.disabled) return inactive(user.name);
  if (user.role === 'admin') return { key: 'refusal.administrator', values: { name: user.name } };
  if (user.role === 'clerk' || user.name === request.user) return null;
  return { key: 'refusal.notHolder', values: { name: user.name, user: request.user } };
}

/** Leaders, auditors and clerks oversee every request; everyone else sees their own. */
export function seesAllRequests(role: Role): boolean {
  return role === 'leader' || role === 'auditor' || role === 'clerk';
}

/** A leader, not the one who asked, approves moving a recording to another officer. */
export function refusesReassignmentDecision(decider: User, requestedBy: string): Refusal | null {
  if (decider.disabled) return inactive(decider.name);
  if (decider.role !== 'leader')
    return {
      key: 'refusal.notReassignmentDecider',
      values: { name: decider.name, role: label('dash.role.', decider.role) },
    };
  if (decider.name === requestedBy) return { key: 'refusal.ownReassignment', values: { name: decider.name } };
  return null;
}

/** Confirming an account that gives footage rights: an active leader other than the account itself. */
export function refusesAccountConfirmation(leader: User, account: User): Refusal | null {
  if (leader.disabled) return inactive(leader.name);
  if (leader.role !== 'leader')
    return {
      key: 'refusal.notConfirmer',
      values: { name: leader.name, role: label('dash.role.', leader.role) },
    };
  if (leader.id === account.id) return { key: 'refusal.ownAccount', values: { name: leader.name } };
  return null;
}
