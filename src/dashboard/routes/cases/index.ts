import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  addCase,
  allStages,
  type Case,
  type CaseDetail,
  caseDetail,
  closeCase,
  enforcementTypes,
  linkRecording,
  listCases,
  serveCase,
} from '../../../compliance/cases.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { parseUserTime } from '../../../time/zone.ts';
import { allows } from '../../access.ts';
import { type Html, html } from '../../html.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

// Art. 4, 22: cases, their enforcement type and status, and the recordings archived with each.
// Case numbers travel in the query and the form body, never the path: they are typed by people and
// may hold any character.

const CaseNumber = Type.String({ minLength: 1, maxLength: 100 });
const CaseQuery = Type.Composite([LanguageQuery, Type.Object({ number: CaseNumber })]);
const AddBody = Type.Composite([
  CsrfBody,
  Type.Object({
    number: CaseNumber,
    type: Type.String({ minLength: 1, maxLength: 20 }),
  }),
]);
const LinkBody = Type.Composite([
  CsrfBody,
  Type.Object({
    number: CaseNumber,
    recordingId: Type.Integer({ minimum: 1 }),
    stage: Type.Optional(Type.String({ maxLength: 20 })),
  }),
]);
const ServeBody = Type.Composite([
  CsrfBody,
  Type.Object({
    number: CaseNumber,
    date: Type.String({ minLength: 1, maxLength: 40 }),
  }),
]);
const CloseBody = Type.Composite([CsrfBody, Type.Object({ number: CaseNumber })]);

export const casePath = (number: string) => `/cases/show?number=${encodeURIComponent(number)}`;

function statusLabel(request: FastifyRequest, found: Case): string {
  return request.t(found.status === 'open' ? 'dash.cases.open' : 'dash.cases.closed');
}

function addForm(request: FastifyRequest): Html {
  const { t } = request;
  return html`<form method="post" action="/cases" class="card filters" id="add-case">${csrfField(request)}
<strong>${t('dash.cases.add')}</strong>
<label>${t('dash.cases.number')}<input name="number" required maxlength="100"></label>
<label>${t('dash.cases.type')}<select name="type">${enforcementTypes.map((type) => html`<option>${type}</option>`)}</select></label>
<button type="submit">${t('dash.cases.addButton')}</button></form>`;
}

function caseForms(request: FastifyRequest, found: CaseDetail): Html {
  const { t, user } = request;
  const role = user!.role;
  const number = html`<input type="hidden" name="number" value="${found.number}">`;
  const link = allows('manageCases', role)
    ? html`<form method="post" action="/cases/link" class="card filters" id="link-recording">${csrfField(request)}${number}
<strong>${t('dash.cases.link')}</strong>
<label>${t('ledger.id')}<input name="recordingId" type="number" min="1" required></label>
<label>${t('dash.cases.stage')}<select name="stage"><option value="">${t('dash.cases.noStage')}</option>
${allStages.map((stage) => html`<option>${stage}</option>`)}</select></label>
<button type="submit">${t('dash.cases.linkButton')}</button></form>`
    : '';
  const decide = allows('decideCases', role)
    ? html`<form method="post" action="/cases/serve" class="card filters" id="serve-case">${csrfField(request)}${number}
<strong>${t('dash.cases.serve')}</strong>
<label>${t('dash.cases.servedOn')}<input name="date" type="date" required></label>
<button type="submit">${t('dash.cases.serveButton')}</button>
<span class="muted">${t('dash.cases.serveHint')}</span></form>
${
  found.status === 'open'
    ? html`<form method="post" action="/cases/close" class="card" id="close-case">${csrfField(request)}${number}
<button type="submit">${t('dash.cases.closeButton')}</button></form>`
    : ''
}`
    : '';
  return html`${link}${decide}`;
}

function casePage(request: FastifyRequest, found: CaseDetail, zone: string): Html {
  const { t } = request;
  return html`<table id="case"><tbody>
<tr><th>${t('dash.cases.number')}</th><td>${found.number}</td></tr>
<tr><th>${t('dash.cases.type')}</th><td>${found.enforcementType}</td></tr>
<tr><th>${t('dash.cases.status')}</th><td id="case-status">${statusLabel(request, found)}</td></tr>
<tr><th>${t('dash.cases.servedOn')}</th><td id="case-served">${formatDateTime(found.servedAt, zone) || html`<span class="muted">${t('dash.cases.notServed')}</span>`}</td></tr>
<tr><th>${t('dash.cases.createdBy')}</th><td>${found.createdBy} ${formatDateTime(found.createdAt, zone)}</td></tr>
</tbody></table>
<h2>${t('dash.cases.recordings')}</h2>
${
  found.recordings.length
    ? html`<table id="case-recordings"><thead><tr><th>${t('ledger.id')}</th><th>${t('ledger.officerName')}</th><th>${t('ledger.badge')}</th>
<th>${t('ledger.start')}</th><th>${t('ledger.kind')}</th><th>${t('dash.cases.stage')}</th><th>${t('dash.cases.linkedBy')}</th></tr></thead>
<tbody>${found.recordings.map(
        (
          recording,
        ) => html`<tr data-recording="${recording.id}"><td><a href="/recordings/${recording.id}">#${recording.id}</a></td>
<td>${recording.officerName ?? ''}</td><td>${recording.badge ?? ''}</td><td>${formatDateTime(recording.start, zone)}</td>
<td>${t(`kind.${recording.kind}` as MessageKey)}</td><td class="stage">${recording.stage ?? ''}</td>
<td>${recording.linkedBy} ${formatDateTime(recording.linkedAt, zone)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted" id="case-empty">${t('dash.cases.noRecordings')}</p>`
}
${caseForms(request, found)}`;
}

export const caseRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;
  const countLinks = db.prepare('SELECT COUNT(*) FROM recording_cases WHERE case_id = ?').pluck();
  const sendPage = (request: FastifyRequest, reply: FastifyReply, title: string, body: Html) =>
    reply.type('text/html; charset=utf-8').send(page(request, { title, current: '/cases', body }));

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/cases',
    { schema: { querystring: LanguageQuery, response: { 200: HtmlPage } }, config: { permission: 'cases' } },
    async (request, reply) => {
      const { t, user } = request;
      const cases = listCases(db);
      const body = html`${
        cases.length
          ? html`<table id="cases"><thead><tr><th>${t('dash.cases.number')}</th><th>${t('dash.cases.type')}</th><th>${t('dash.cases.status')}</th>
<th>${t('dash.cases.servedOn')}</th><th>${t('dash.cases.recordings')}</th></tr></thead>
<tbody>${cases.map(
              (
                found,
              ) => html`<tr data-case="${found.number}"><td><a href="${casePath(found.number)}">${found.number}</a></td>
<td>${found.enforcementType}</td><td>${statusLabel(request, found)}</td><td>${formatDateTime(found.servedAt, zone)}</td>
<td>${Number(countLinks.get(found.id))}</td></tr>`,
            )}</tbody></table>`
          : html`<p class="muted" id="cases-empty">${t('dash.cases.none')}</p>`
      }
${allows('manageCases', user!.role) ? addForm(request) : ''}`;
      return sendPage(request, reply, t('dash.nav.cases'), body);
    },
  );

  app.get<{ Querystring: Static<typeof CaseQuery> }>(
    '/cases/show',
    { schema: { querystring: CaseQuery, response: { 200: HtmlPage } }, config: { permission: 'cases' } },
    async (request, reply) => {
      const found = caseDetail(db, request.query.number, zone);
      if (!found) throw new HttpError(404, request.t('dash.error.notFound'));
      const title = `${request.t('dash.cases.case')} ${found.number}`;
      return sendPage(request, reply, title, casePage(request, found, zone));
    },
  );

  app.post<{ Body: Static<typeof AddBody> }>(
    '/cases',
    { schema: { body: AddBody, response: formResponses }, config: { permission: 'manageCases' } },
    async (request, reply) => {
      const added = addCase(
        db,
        { number: request.body.number, type: request.body.type, by: request.user!.name },
        clock.now(),
      );
      return reply.redirect(casePath(added.number), 303);
    },
  );

  app.post<{ Body: Static<typeof LinkBody> }>(
    '/cases/link',
    { schema: { body: LinkBody, response: formResponses }, config: { permission: 'manageCases' } },
    async (request, reply) => {
      const { number, recordingId, stage } = request.body;
      linkRecording(db, { number, recordingId, stage: stage || null, by: request.user!.name }, clock.now());
      return reply.redirect(casePath(number), 303);
    },
  );

  app.post<{ Body: Static<typeof ServeBody> }>(
    '/cases/serve',
    { schema: { body: ServeBody, response: formResponses }, config: { permission: 'decideCases' } },
    async (request, reply) => {
      const { number, date } = request.body;
      const servedAt = parseUserTime(date, zone);
      if (!servedAt) throw new HttpError(400, request.t('dash.error.badTime'));
      serveCase(db, { number, servedAt, by: request.user!.name }, clock.now());
      return reply.redirect(casePath(number), 303);
    },
  );

  app.post<{ Body: Static<typeof CloseBody> }>(
    '/cases/close',
    { schema: { body: CloseBody, response: formResponses }, config: { permission: 'decideCases' } },
    async (request, reply) => {
      closeCase(db, { number: request.body.number, by: request.user!.name }, clock.now());
      return reply.redirect(casePath(request.body.number), 303);
    },
  );
};
