import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { auditDigest, formatDigest } from '../../../custody/audit-digest.ts';
import { type FixityCycle, fixityCycle, openFixityFailures } from '../../../custody/fixity-job.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatBytes, formatDateTime } from '../../../i18n/format.ts';
import { type Html, html } from '../../html.ts';
import { page } from '../../views/layout.ts';
import { HtmlPage, LanguageQuery } from '../schemas.ts';

// Read-only view of the chain of custody: today's audit chain head (to write down or print and keep
// off the station), the files the nightly fixity job found bad, and how far its cycle has come.
// A full `station verify` stays on the command line, where ops run it.

function cycleCard(request: FastifyRequest, cycle: FixityCycle | null, zone: string): Html {
  const { t } = request;
  if (!cycle) return html`<p class="muted" id="fixity-never">${t('dash.integrity.neverRun')}</p>`;
  const row = (label: MessageKey, value: string) => html`<tr><th>${t(label)}</th><td>${value}</td></tr>`;
  return html`<table id="fixity-cycle">
${row('dash.integrity.lastRun', formatDateTime(cycle.lastRunAt, zone))}
${row('dash.integrity.cycleStarted', formatDateTime(cycle.cycleStartedAt, zone))}
${row('dash.integrity.cycleProgress', t('dash.integrity.upTo', { id: cycle.lastRecordingId, bytes: formatBytes(cycle.cycleBytes) }))}
${row('dash.integrity.lastCompleted', formatDateTime(cycle.lastCycleCompletedAt, zone) || t('dash.integrity.notYet'))}
</table>`;
}

export const integrityRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/integrity',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'integrity' },
    },
    async (request, reply) => {
      const { t } = request;
      const digest = auditDigest(db, { zone, now: clock.now() });
      const failures = openFixityFailures(db);
      const failureTable = failures.length
        ? html`<table id="fixity-failures"><thead><tr><th>${t('ledger.id')}</th><th>${t('dash.integrity.file')}</th>
<th>${t('dash.integrity.problem')}</th><th>${t('dash.integrity.expected')}</th><th>${t('dash.integrity.actual')}</th>
<th>${t('dash.integrity.detected')}</th></tr></thead>
<tbody>${failures.map(
            (
              failure,
            ) => html`<tr data-recording="${failure.recordingId}"><td><a href="/recordings/${failure.recordingId}">#${failure.recordingId}</a></td>
<td><code>${failure.archivePath}</code></td><td class="bad">${failure.problem}${failure.detail ? html`<br><span class="muted">${failure.detail}</span>` : ''}</td>
<td><code>${failure.expectedSha256}</code></td><td><code>${failure.actualSha256 ?? ''}</code></td><td>${formatDateTime(failure.detectedAt, zone)}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="good" id="fixity-none">${t('dash.integrity.noFailures')}</p>`;
      const body = html`<h2>${t('dash.integrity.digest')}</h2>
<p class="muted">${t('dash.integrity.digestIntro')}</p>
<pre class="card" id="audit-digest">${formatDigest(digest, t)}</pre>
<h2>${t('dash.integrity.failures')} (<span id="failure-count">${failures.length}</span>)</h2>
${failureTable}
<h2>${t('dash.integrity.cycle')}</h2>
<p class="muted">${t('dash.integrity.cycleIntro', { gb: config.fixity.gigabytesPerNight, days: config.fixity.periodDays })}</p>
${cycleCard(request, fixityCycle(db), zone)}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.integrity'), current: '/integrity', body }));
    },
  );
};
