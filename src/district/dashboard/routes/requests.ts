import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { accessPurposes } from '../../../custody/access-requests.ts';
import { html } from '../../../dashboard/html.ts';
import { HttpError } from '../../../dashboard/plugins/authentication.ts';
import {
  CsrfBody,
  formResponses,
  HtmlPage,
  IdParams,
  LanguageQuery,
} from '../../../dashboard/routes/schemas.ts';
import { csrfField, page } from '../../../dashboard/views/layout.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { errorText } from '../../../i18n/translated-error.ts';
import { DistrictGrantRefused, decideDistrictRequest, listDistrictRequests } from '../../district-grants.ts';

const DecisionBody = Type.Composite([
  CsrfBody,
  Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('refuse')]) }),
]);

/** The district view's access requests; a leader other than the asker decides each one. */
export const requestRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  app.get(
    '/requests',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'districtFootage' },
    },
    async (request, reply) => {
      const { t, user } = request;
      const mine = user!.role === 'leader' ? null : user!.name;
      const requests = listDistrictRequests(db).filter((item) => mine === null || item.user === mine);
      const body = requests.length
        ? html`<table id="requests"><thead><tr><th>#</th><th>${t('district.view.requests.user')}</th>
<th>${t('district.view.requests.recording')}</th><th>${t('district.view.recording.purpose')}</th><th>${t('district.view.recording.reason')}</th>
<th>${t('district.view.requests.state')}</th><th></th></tr></thead><tbody>${requests.map(
            (item) => html`<tr data-request="${item.id}"><td>${item.id}</td><td>${item.user}</td>
<td><a href="/recordings/${item.stationId}/${item.recordingId}">${item.stationId} #${item.recordingId}</a></td>
<td>${accessPurposes[item.purpose]}</td><td>${item.reason ?? ''}</td>
<td class="state">${t(`district.view.requests.state.${item.state}` as MessageKey)}${item.validUntil ? ` → ${formatDateTime(item.validUntil, zone)}` : ''}</td>
<td>${
              item.state === 'pending' && user!.role === 'leader' && item.user !== user!.name
                ? html`<form class="inline" method="post" action="/requests/${item.id}/decision">${csrfField(request)}
<button name="decision" value="approve" class="approve">${t('district.view.requests.approve')}</button>
<button name="decision" value="refuse" class="refuse">${t('district.view.requests.refuse')}</button></form>`
                : ''
            }</td></tr>`,
          )}</tbody></table>`
        : html`<p class="muted">${t('district.view.requests.none')}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('district.view.requests.title'), current: '/requests', body }));
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> }>(
    '/requests/:id/decision',
    {
      schema: { params: IdParams, body: DecisionBody, response: formResponses },
      config: { permission: 'districtDecideAccess' },
    },
    async (request, reply) => {
      try {
        decideDistrictRequest(
          db,
          request.params.id,
          { by: request.user!.name, approve: request.body.decision === 'approve' },
          clock.now(),
        );
      } catch (error) {
        if (error instanceof DistrictGrantRefused) throw new HttpError(403, errorText(request.t, error));
        throw error;
      }
      return reply.redirect('/requests', 303);
    },
  );
};
