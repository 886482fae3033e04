import type { FastifyRequest } from 'fastify';
import { type Html, html } from '../html.ts';

/** Whom a row belongs to as far as the station knows: a name only where an officer on file holds the badge. */
export interface KnownOfficer {
  name: string | null;
  badge: string | null;
}

/**
 * `张三 010001`; `执法证号 099999` when no officer on file holds the badge, so a number never passes
 * for a name; 未分配 without a badge; nothing when nobody is known at all.
 */
export function officerLabel(t: FastifyRequest['t'], officer: KnownOfficer | null): string {
  if (!officer) return '';
  if (officer.badge === null) return t('common.unassigned');
  return officer.name ? `${officer.name} ${officer.badge}` : `${t('ledger.badge')} ${officer.badge}`;
}

/** Name and badge as two table cells; a name the station does not know shows as unassigned, as in the ledger. */
export function officerCells(t: FastifyRequest['t'], officer: KnownOfficer | null): Html {
  if (!officer) return html`<td></td><td></td>`;
  const name = officer.name ?? html`<span class="muted">${t('common.unassigned')}</span>`;
  return html`<td>${name}</td><td>${officer.badge ?? ''}</td>`;
}
