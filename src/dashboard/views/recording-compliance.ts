import type { FastifyRequest } from 'fastify';
import { activityTagsOf } from '../../compliance/activity-tags.ts';
import { casesOfRecording } from '../../compliance/cases.ts';
import { retentionOf, retentionSettings } from '../../compliance/retention.ts';
import type { MessageKey } from '../../i18n/catalogue.ts';
import { allows } from '../access.ts';
import { type Html, html } from '../html.ts';

/**
 * A recording's place in the compliance rules on its detail page: the cases it is archived with
 * (art. 22), how long it must be kept and why (art. 24), and its art. 20 activity kinds. A duplicate
 * shows its original's, since they share one file.
 */
export function recordingCompliance(
  request: FastifyRequest,
  row: { id: number; duplicateOf: number | null },
): Html {
  const { t, user } = request;
  const { db, config } = request.server.station;
  const originalId = row.duplicateOf ?? row.id;
  const cases = casesOfRecording(db, row);
  const retention = retentionOf(db, retentionSettings(config), originalId);
  const activities = activityTagsOf(db, originalId);
  const caseLink = (number: string) =>
    allows('cases', user!.role)
      ? html`<a href="/cases/show?number=${encodeURIComponent(number)}">${number}</a>`
      : number;
  return html`<table id="compliance">
<tr><th>${t('dash.nav.cases')}</th><td>${cases.map((found) => html`${caseLink(found.number)}${found.stage ? ` (${found.stage})` : ''} `)}</td></tr>
${
  retention
    ? html`<tr><th>${t('dash.retention.end')}</th><td id="retention-end">${retention.retentionEnd ?? t('dash.retention.indefinitely')} · ${t(`dash.retention.reason.${retention.reason}` as MessageKey)}</td></tr>`
    : ''
}
<tr><th>${t('dash.interruptions.activity')}</th><td>${activities.map((kind) => t(`dash.activity.${kind}` as MessageKey)).join('、')}</td></tr>
</table>`;
}
