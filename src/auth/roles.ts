/** Who uses the station (requirements: officers, archive clerk, ops, leader, auditors) plus the admin. */
export const roles = ['officer', 'clerk', 'ops', 'leader', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
