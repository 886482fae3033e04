import type { FastifyRequest } from 'fastify';
import type { InterruptionItem } from '../../compliance/interruptions.ts';
import { spokenReasonDetail } from '../../compliance/spoken-reason.ts';
import { canView } from '../../custody/access-policy.ts';
import { allows } from '../access.ts';
import { type Html, html } from '../html.ts';

// Art. 18: what was heard when the officer resumed, on the 中断说明 page: where the spoken reason
// starts in the resumed segment and how long it is, with a player for its clip; or that nobody spoke.

/** Seconds as mm:ss, the way a player shows a position. */
export function clockPosition(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

/** The clip is footage: it plays for those art. 27 lets view the resumed segment itself. */
export function mayHear(request: FastifyRequest, item: InterruptionItem): boolean {
  const { db, clock } = request.server.station;
  const user = request.user!;
  return allows('viewFootage', user.role) && canView(db, user, item.afterRecordingId, clock.now()).allowed;
}

export function spokenReasonCell(request: FastifyRequest, item: InterruptionItem): Html {
  const { t } = request;
  const heard = spokenReasonDetail(request.server.station.db, item.id);
  switch (heard.state) {
    case 'detected': {
      const summary = t('dash.interruptions.spoken.detected', {
        start: clockPosition(heard.speechStartSeconds ?? 0),
        seconds: String(Math.round(heard.speechSeconds ?? 0)),
      });
      const player = mayHear(request, item)
        ? html`<br><audio controls preload="none" src="/interruptions/${item.id}/spoken-reason" data-clip-start="${heard.clipStartSeconds}"></audio>`
        : html`<br><span class="muted">${t('dash.interruptions.spoken.noGrant')}</span>`;
      return html`<td class="spoken-reason good" data-spoken="detected">${summary}${player}</td>`;
    }
    case 'absent':
      return html`<td class="spoken-reason bad" data-spoken="absent">${t('dash.interruptions.spoken.absent')}</td>`;
    case 'failed':
      return html`<td class="spoken-reason bad" data-spoken="failed">${t('dash.interruptions.spoken.failed', { error: heard.error ?? '' })}</td>`;
    default:
      return html`<td class="spoken-reason muted" data-spoken="${heard.state}">${t(`dash.interruptions.spoken.${heard.state}`)}</td>`;
  }
}
