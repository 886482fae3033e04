import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  AccessRefused,
  type AccessRequest,
  AccessRequestError,
  accessPurposes,
  createAccessRequest,
  decideAccessRequest,
  defaultGrantDays,
  findAccessRequest,
  grantTime,
  isActive,
  listAccessRequests,
} from '../../../custody/access-requests.ts';
import {
  AccountRefused,
  accountsAwaitingConfirmation,
  confirmAccount,
} from '../../../custody/account-confirmation.ts';
import { appendAudit } from '../../../custody/audit-log.ts';
import {
  ExportFailed,
  exportEvidence,
  isoName,
  manifestName,
  type RecordedExport,
  recordedExports,
} from '../../../custody/evidence-export.ts';
import {
  decideReassignment,
  pendingReassignments,
  ReassignmentRefused,
} from '../../../custody/reassignment.ts';
import { recordRefusedAttempt } from '../../../custody/refused-attempts.ts';
import { refusesExport, seesAllRequests } from '../../../custody/release-rules.ts';
import { recordServedBytes } from '../../../custody/served-bytes.ts';
import type { MessageKey } from '../../../i18n/catalogue.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { englishText, errorText } from '../../../i18n/translated-error.ts';
import { localStamp } from '../../../time/zone.ts';
import { allows } from '../../access.ts';
import { type Html, html, trusted } from '../../html.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { sessionDigest } from '../../session-digest.ts';
import { type FieldErrors, fieldError, invalid } from '../../views/field-error.ts';
import { csrfField, page } from '../../views/layout.ts';
import { personNamed } from '../../views/person.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

// Art. 25, 27, 28: asking to view or copy footage, a leader's decision, and the evidence disc. The
// engine decides and audits; this page shows its decisions and says why a step cannot be taken.

const purposeCodes = Object.keys(accessPurposes) as (keyof typeof accessPurposes)[];

const RequestBody = Type.Composite([
  CsrfBody,
  Type.Object({
    recordings: Type.Optional(Type.String({ maxLength: 2000 })),
    caseNumber: Type.Optional(Type.String({ maxLength: 100 })),
    purpose: Type.Union(purposeCodes.map((code) => Type.Literal(code))),
    mode: Type.Union([Type.Literal('view'), Type.Literal('copy')]),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    requestingParty: Type.Optional(Type.String({ maxLength: 200 })),
  }),
]);
type RequestBody = Static<typeof RequestBody>;
// Ids travel in the form body like every other field of these forms.
const IdBody = Type.Composite([CsrfBody, Type.Object({ id: Type.Integer({ minimum: 1 }) })]);
const ExportQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    request: Type.Integer({ minimum: 1 }),
    // Station-time names; the UTC names of exports made before still open.
    folder: Type.String({ pattern: '^[0-9]+-([0-9]{8}-[0-9]{6}|[0-9]{8}T[0-9]{6}Z)$' }),
  }),
]);
type ExportQuery = Static<typeof ExportQuery>;

const mayExport = (request: FastifyRequest, access: AccessRequest) =>
  refusesExport(request.user!, access) === null;

/** `3-20261127-051500`: one folder per export, named for its request and when (station time) it was made. */
const folderName = (id: number, now: Date, zone: string) => `${id}-${localStamp(now, zone)}`;

function purposeLabel(request: FastifyRequest, access: AccessRequest): string {
  return request.language === 'en' ? `${access.purposeLabel} (${access.purpose})` : access.purposeLabel;
}

function thirdPartyWarning(request: FastifyRequest): Html {
  return html`<p class="message bad third-party">${request.t('dash.access.thirdParty')}</p>`;
}

// Art. 28's warning concerns a request by the party concerned only: the form shows it while that
// purpose is chosen (CSS :has, no script).
const partyConcerned = trusted(`<style>
#request-form .third-party{display:none;flex-basis:100%}
#request-form:has(select[name=purpose] option[value=party-concerned]:checked) .third-party{display:block}
</style>`);

function stepForm(request: FastifyRequest, step: 'approve' | 'refuse' | 'export', id: number): Html {
  return html`<form class="inline ${step}" method="post" action="/access/${step}">${csrfField(request)}
<input type="hidden" name="id" value="${id}"><button type="submit">${request.t(`dash.access.${step}` as MessageKey)}</button></form>`;
}

/** Why the grant of an approved request cannot be used now, or null when it can. */
function unusable(access: AccessRequest, now: Date): MessageKey | null {
  if (access.state === 'pending') return 'dash.access.why.pending';
  if (access.state === 'refused') return 'dash.access.why.refused';
  if (!isActive(access, now)) return 'dash.access.why.expired';
  return access.mode === 'copy' ? null : 'dash.access.why.viewOnly';
}

function actions(request: FastifyRequest, access: AccessRequest, zone: string, now: Date): Html | string {
  const { t, user } = request;
  if (access.state === 'pending') {
    if (!allows('decideAccess', user!.role))
      return html`<span class="muted">${t('dash.access.why.awaitLeader')}</span>`;
    return html`${stepForm(request, 'approve', access.id)} ${stepForm(request, 'refuse', access.id)}`;
  }
  const problem = unusable(access, now);
  // An active view grant needs no button: the recordings' own pages play for the requester.
  if (problem === 'dash.access.why.viewOnly') return '';
  if (problem)
    return html`<span class="muted">${t(problem, { until: formatDateTime(access.validUntil, zone) })}</span>`;
  if (!mayExport(request, access))
    return html`<span class="muted">${t('dash.access.why.exportByHolder', { user: access.user })}</span>`;
  return stepForm(request, 'export', access.id);
}

function requestRow(request: FastifyRequest, access: AccessRequest, zone: string, now: Date): Html {
  const { t } = request;
  const scope = access.caseNumber ? html`${t('dash.cases.case')} ${access.caseNumber}: ` : '';
  return html`<tr data-request="${access.id}" data-state="${access.state}"><td>#${access.id}</td><td>${personNamed(request.server.station.db, access.user)}</td>
<td>${purposeLabel(request, access)}${access.thirdPartyReview ? html`<br><strong class="bad">${t('dash.access.thirdPartyShort')}</strong>` : ''}
${access.requestingParty ? html`<br><span class="party">${t('dash.access.party')}：${access.requestingParty}</span>` : ''}
${access.reason ? html`<br><span class="reason">${t('dash.access.reason')}：${access.reason}</span>` : ''}</td>
<td>${t(`dash.access.mode.${access.mode}` as MessageKey)}</td>
<td>${scope}${access.recordingIds.map((id, index) => html`${index ? ', ' : ''}<a href="/recordings/${id}">#${id}</a>`)}</td>
<td>${access.days}</td><td>${t(`dash.access.state.${access.state}` as MessageKey)}${access.decidedBy ? html`<br><span class="muted">${access.decidedBy} ${formatDateTime(access.decidedAt, zone)}</span>` : ''}</td>
<td>${formatDateTime(access.validUntil, zone)}</td><td>${actions(request, access, zone, now)}</td></tr>`;
}

interface RequestForm {
  values: Partial<RequestBody>;
  errors: FieldErrors;
}

function requestForm(request: FastifyRequest, form?: RequestForm): Html {
  const { t } = request;
  const values = form?.values ?? {};
  const errors = form?.errors ?? {};
  const options = purposeCodes.map(
    (code) =>
      html`<option value="${code}" ${values.purpose === code ? 'selected' : ''}>${accessPurposes[code]}${request.language === 'en' ? ` (${code})` : ''}</option>`,
  );
  return html`${partyConcerned}<form method="post" action="/access/request" id="request-form" class="card filters">${csrfField(request)}
${form ? html`<p class="bad" id="request-problem" style="flex-basis:100%">${t('dash.access.formProblem')}</p>` : ''}
<label>${t('dash.access.recordings')}<input name="recordings" size="24" placeholder="12, 13, 14" value="${values.recordings ?? ''}" aria-invalid="${invalid(errors, 'recordings')}">${fieldError(errors, 'recordings')}</label>
<label>${t('dash.access.orCase')}<input name="caseNumber" size="16" value="${values.caseNumber ?? ''}"></label>
<label>${t('dash.access.purpose')}<select name="purpose" required>${options}</select></label>
<label>${t('dash.access.mode')}<select name="mode"><option value="view">${t('dash.access.mode.view')}</option><option value="copy" ${values.mode === 'copy' ? 'selected' : ''}>${t('dash.access.mode.copy')}</option></select></label>
<label>${t('dash.access.days')}<input name="days" type="number" min="1" max="365" value="${values.days ?? defaultGrantDays}"></label>
<label>${t('dash.access.party')}<input name="requestingParty" size="20" placeholder="${t('dash.access.partyHint')}" value="${values.requestingParty ?? ''}"></label>
<label style="flex-basis:100%">${t('dash.access.reason')}<textarea name="reason" rows="2" cols="60" placeholder="${t('dash.access.reasonHint')}" aria-invalid="${invalid(errors, 'reason')}">${values.reason ?? ''}</textarea>${fieldError(errors, 'reason')}</label>
${thirdPartyWarning(request)}
<button type="submit">${t('dash.access.submit')}</button></form>`;
}

/** "12, 13 14" → [12, 13, 14]; null when it is not a list of ids (a mistake the user should see). */
function parseIds(text: string): number[] | null {
  const parts = text.split(/[\s,，、]+/).filter(Boolean);
  if (parts.some((part) => !/^[1-9][0-9]*$/.test(part))) return null;
  return parts.map(Number);
}

/** The exports of the requests on the page: when, by whom, and whether the disc can still be taken. */
function exportHistory(request: FastifyRequest, requests: AccessRequest[], zone: string, now: Date): Html {
  const { t } = request;
  const { db } = request.server.station;
  const shown = new Map(requests.map((access) => [access.id, access]));
  const exports = recordedExports(db).filter((made) => shown.has(made.requestId));
  if (!exports.length) return html`<p class="muted" id="exports-none">${t('dash.access.exportsNone')}</p>`;
  const row = (made: RecordedExport) => {
    const access = shown.get(made.requestId)!;
    const open = !made.removedAt && unusable(access, now) === null;
    const link = `request=${made.requestId}&folder=${made.folder}`;
    const state = made.removedAt
      ? t('dash.access.exportRemoved')
      : open
        ? t('dash.access.exportAvailable', { until: formatDateTime(access.validUntil, zone) })
        : t('dash.access.exportExpired');
    const actions =
      open && mayExport(request, access)
        ? html`<a href="/access/export?${link}" class="open-export">${t('dash.access.open')}</a> · <a href="/access/export/iso?${link}" class="download-again">${t('dash.access.downloadIso')}</a> · <a href="/access/export/statement?${link}" target="_blank" class="print-statement">${t('dash.access.printStatement')}</a>`
        : '';
    return html`<tr data-export="${made.folder}" data-request="${made.requestId}"><td>#${made.requestId}</td><td>${formatDateTime(made.at, zone)}</td>
<td>${personNamed(db, made.by)}</td><td>${made.files}</td><td><code>${made.iso.sha256.slice(0, 16)}…</code></td><td class="${open ? 'good' : 'muted'}">${state}</td><td>${actions}</td></tr>`;
  };
  return html`<table id="exports"><thead><tr><th>${t('ledger.id')}</th><th>${t('dash.access.exportedAt')}</th><th>${t('dash.access.exportedBy')}</th>
<th>${t('dash.access.exportFiles')}</th><th>SHA-256</th><th>${t('dash.access.exportState')}</th><th></th></tr></thead>
<tbody>${exports.map(row)}</tbody></table>`;
}

/** What waits for a leader besides access requests: reassignments and accounts with footage rights. */
function leaderApprovals(request: FastifyRequest): Html | string {
  const { t, user } = request;
  if (user!.role !== 'leader') return '';
  const { db } = request.server.station;
  const moves = pendingReassignments(db);
  const accounts = accountsAwaitingConfirmation(db);
  const decision = (action: string, id: number, label: MessageKey) =>
    html`<form class="inline" method="post" action="${action}">${csrfField(request)}<input type="hidden" name="id" value="${id}"><button type="submit">${t(label)}</button></form>`;
  return html`${
    moves.length
      ? html`<h2>${t('dash.approvals.reassignments')}</h2><table id="reassignments"><tbody>${moves.map(
          (move) =>
            html`<tr data-reassignment="${move.id}"><td><a href="/recordings/${move.recordingId}">#${move.recordingId}</a></td><td>${move.fromBadge ?? ''} → ${move.toBadge}</td><td>${move.reason}</td><td>${move.requestedBy}</td>
<td>${decision('/access/reassignments/approve', move.id, 'dash.approvals.approve')} ${decision('/access/reassignments/refuse', move.id, 'dash.approvals.refuse')}</td></tr>`,
        )}</tbody></table>`
      : ''
  }${
    accounts.length
      ? html`<h2>${t('dash.approvals.accounts')}</h2><table id="accounts"><tbody>${accounts.map(
          (account) =>
            html`<tr data-account="${account.name}"><td>${account.name}</td><td>${t(`dash.role.${account.role}` as MessageKey)}</td><td>${account.badge ?? ''}</td><td>${account.createdBy ?? ''}</td>
<td>${decision('/access/accounts/confirm', account.id, 'dash.approvals.confirm')}</td></tr>`,
        )}</tbody></table>`
      : ''
  }`;
}

export const accessRoutes: FastifyPluginAsync = async (app) => {
  const { station } = app;
  const { db, clock, config, archive } = station;
  const zone = config.station.timezone;
  const exportsFolder = path.join(config.home, 'exports');

  /** The request; an unknown id is bad input, not a missing page (the id came from a form). */
  function requestFor(request: FastifyRequest, id: number): AccessRequest {
    const access = findAccessRequest(db, id);
    if (!access) throw new HttpError(400, request.t('dash.access.why.noRequest', { id }));
    return access;
  }

  /**
   * Engine refusals in the reader's language: where `why` can tell the reason from the request as it
   * stands now, that; the engine's own message otherwise. The engine has already put it in the audit log.
   */
  function refused(
    request: FastifyRequest,
    id: number,
    error: unknown,
    why: (access: AccessRequest) => MessageKey | null,
  ): never {
    const { t } = request;
    if (error instanceof AccessRequestError) throw new HttpError(400, errorText(t, error));
    if (!(error instanceof AccessRefused || error instanceof ExportFailed)) throw error;
    const access = findAccessRequest(db, id);
    const problem = error instanceof AccessRefused && access ? why(access) : null;
    const reason = problem
      ? t(problem, {
          until: formatDateTime(access!.validUntil, zone),
          state: t(`dash.access.state.${access!.state}` as MessageKey),
        })
      : errorText(t, error);
    throw new HttpError(409, t('dash.access.refused', { id, why: reason }));
  }

  function refuseExport(request: FastifyRequest, access: AccessRequest): never {
    const refusal = refusesExport(request.user!, access);
    appendAudit(
      db,
      {
        actor: request.user!.name,
        action: 'access-refused',
        subjectType: 'access-request',
        subjectId: access.id,
        detail: { export: true, reason: refusal && englishText(refusal) },
      },
      clock.now(),
    );
    throw new HttpError(
      403,
      request.t('dash.access.refused', {
        id: access.id,
        why: request.t('dash.access.why.exportByHolder', { user: access.user }),
      }),
    );
  }

  /** What the audit log recorded of a finished export into that folder; exports it did not record do not exist. */
  function recordedExport(request: FastifyRequest, query: ExportQuery) {
    const access = requestFor(request, query.request);
    if (!mayExport(request, access)) refuseExport(request, access);
    const made = recordedExports(db, access.id).find((entry) => entry.folder === query.folder);
    if (!made || made.outDir !== path.join(exportsFolder, query.folder))
      throw new HttpError(400, request.t('dash.access.noExport', { folder: query.folder }));
    return { access, outDir: made.outDir, iso: made.iso };
  }

  const accessPage = (request: FastifyRequest, form?: RequestForm) => {
    const { t, user } = request;
    const now = clock.now();
    const requests = listAccessRequests(db)
      .filter((access) => seesAllRequests(user!.role) || access.user === user!.name)
      .reverse();
    const table = requests.length
      ? html`<table id="requests"><thead><tr><th>${t('ledger.id')}</th><th>${t('dash.access.requester')}</th><th>${t('dash.access.purpose')}</th>
<th>${t('dash.access.mode')}</th><th>${t('dash.access.recordings')}</th><th>${t('dash.access.days')}</th><th>${t('dash.access.state')}</th>
<th>${t('dash.access.validUntil')}</th><th></th></tr></thead>
<tbody>${requests.map((access) => requestRow(request, access, zone, now))}</tbody></table>`
      : html`<p class="muted" id="requests-none">${t('dash.access.none')}</p>`;
    const body = html`<p class="muted">${t('dash.access.intro')}</p>
${leaderApprovals(request)}
<h2>${t('dash.access.new')}</h2>${requestForm(request, form)}
<h2>${t('dash.access.list')}</h2>${table}
<h2>${t('dash.access.exports')}</h2>${exportHistory(request, requests, zone, now)}`;
    return page(request, { title: t('dash.nav.access'), current: '/access', body });
  };

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/access',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'accessRequests' },
    },
    async (request, reply) => reply.type('text/html; charset=utf-8').send(accessPage(request)),
  );

  app.post<{ Body: RequestBody }>(
    '/access/request',
    {
      schema: { body: RequestBody, response: { ...formResponses, 400: HtmlPage } },
      config: { permission: 'accessRequests' },
    },
    async (request, reply) => {
      const { body, t } = request;
      const caseNumber = body.caseNumber?.trim() || undefined;
      const recordingIds = parseIds(body.recordings ?? '');
      const errors: FieldErrors = {};
      if (!recordingIds) errors.recordings = t('dash.access.badIds', { text: body.recordings ?? '' });
      if (Object.keys(errors).length)
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(accessPage(request, { values: body, errors }));
      try {
        createAccessRequest(
          db,
          {
            user: request.user!.name,
            purpose: body.purpose,
            mode: body.mode,
            recordingIds: recordingIds!,
            caseNumber,
            days: body.days,
            reason: body.reason,
            requestingParty: body.requestingParty,
          },
          clock.now(),
        );
      } catch (error) {
        if (error instanceof AccessRequestError) throw new HttpError(400, errorText(request.t, error));
        throw error;
      }
      return reply.redirect('/access', 303);
    },
  );

  const decide =
    (approve: boolean) =>
    async (request: FastifyRequest<{ Body: Static<typeof IdBody> }>, reply: FastifyReply) => {
      const access = requestFor(request, request.body.id);
      try {
        decideAccessRequest(db, access.id, { by: request.user!.name, approve }, clock.now());
      } catch (error) {
        refused(request, access.id, error, (current) =>
          current.state === 'pending' ? null : 'dash.access.why.alreadyDecided',
        );
      }
      return reply.redirect('/access', 303);
    };

  app.post<{ Body: Static<typeof IdBody> }>(
    '/access/approve',
    { schema: { body: IdBody, response: formResponses }, config: { permission: 'decideAccess' } },
    decide(true),
  );

  app.post<{ Body: Static<typeof IdBody> }>(
    '/access/refuse',
    { schema: { body: IdBody, response: formResponses }, config: { permission: 'decideAccess' } },
    decide(false),
  );

  app.post<{ Body: Static<typeof IdBody> }>(
    '/access/export',
    { schema: { body: IdBody, response: formResponses }, config: { permission: 'exportEvidence' } },
    async (request, reply) => {
      const access = requestFor(request, request.body.id);
      if (!mayExport(request, access)) refuseExport(request, access);
      const now = clock.now();
      const folder = folderName(access.id, now, zone);
      try {
        await exportEvidence(
          { db, archive, config },
          { requestId: access.id, outDir: path.join(exportsFolder, folder), by: request.user!.name },
          now,
        );
      } catch (error) {
        refused(request, access.id, error, (current) => unusable(current, now));
      }
      return reply.redirect(`/access/export?request=${access.id}&folder=${folder}`, 303);
    },
  );

  app.get<{ Querystring: ExportQuery }>(
    '/access/export',
    {
      schema: { querystring: ExportQuery, response: { 200: HtmlPage } },
      config: { permission: 'exportEvidence' },
    },
    async (request, reply) => {
      const { t } = request;
      const { access, outDir, iso } = recordedExport(request, request.query);
      const manifest = await readFile(path.join(outDir, manifestName), 'utf8').catch(() => null);
      if (manifest === null)
        throw new HttpError(400, t('dash.access.noExport', { folder: request.query.folder }));
      const download = `/access/export/iso?request=${access.id}&folder=${request.query.folder}`;
      const statement = `/access/export/statement?request=${access.id}&folder=${request.query.folder}`;
      const body = html`${access.thirdPartyReview ? thirdPartyWarning(request) : ''}
<p>${t('dash.access.exportIntro', { id: access.id })}</p>
<div class="card"><p>${t('dash.access.folder')}: <code id="export-folder">${outDir}</code></p>
<p>${manifestName} (<code>sha256sum -c ${manifestName}</code>):</p><pre id="manifest">${manifest}</pre>
<p><a id="download-iso" href="${download}">${t('dash.access.downloadIso')}</a> — ${isoName}, SHA-256 <code id="iso-sha256">${iso.sha256}</code></p>
<p><a id="print-statement" href="${statement}" target="_blank">${t('dash.access.printStatement')}</a></p></div>
<p><a href="/access">${t('dash.access.back')}</a></p>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(
          page(request, { title: t('dash.access.exportTitle', { id: access.id }), current: '/access', body }),
        );
    },
  );

  app.get<{ Querystring: ExportQuery }>(
    '/access/export/iso',
    {
      schema: {
        querystring: ExportQuery,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) },
      },
      config: { permission: 'exportEvidence' },
      // Asked for without a session: sent to the login page, and on the record (counted per address).
      onRequest: async (request: FastifyRequest<{ Querystring: ExportQuery }>) => {
        if (request.user) return;
        recordRefusedAttempt(
          db,
          {
            actor: null,
            source: request.ip,
            subject: `evidence disc of request ${(request.query as { request?: unknown }).request}`,
            reason: 'no-session',
          },
          clock.now(),
        );
      },
    },
    async (request, reply) => {
      const { query } = request;
      const { access, outDir, iso } = recordedExport(request, query);
      const now = clock.now();
      // Taking the disc image away is copying: only while the copy grant lasts (a clock set back
      // does not extend it).
      const problem = unusable(access, grantTime(db, now));
      if (problem) {
        appendAudit(
          db,
          {
            actor: request.user!.name,
            action: 'access-refused',
            subjectType: 'access-request',
            subjectId: access.id,
            detail: { download: isoName, reason: problem },
          },
          now,
        );
        throw new HttpError(
          409,
          request.t('dash.access.refused', {
            id: access.id,
            why: request.t(problem, { until: formatDateTime(access.validUntil, zone) }),
          }),
        );
      }
      const file = path.join(outDir, isoName);
      const { size } = await stat(file);
      // Every byte sent is on the record; a HEAD sends none.
      if (request.method !== 'HEAD')
        recordServedBytes(
          db,
          {
            action: 'download',
            actor: request.user!.name,
            session: sessionDigest(request),
            subjectType: 'access-request',
            subjectId: access.id,
            file: path.join(query.folder, isoName),
            size,
            range: [0, size - 1],
            via: `evidence disc, sha256 ${iso.sha256}, recordings ${access.recordingIds.join(',')}`,
          },
          now,
        );
      return reply
        .type('application/x-iso9660-image')
        .header('content-disposition', `attachment; filename="evidence-${request.query.folder}.iso"`)
        .header('content-length', size)
        .header('cache-control', 'private, no-store')
        .send(createReadStream(file));
    },
  );

  // The statement sheet as it is on the disc, to print and sign; no footage in it, so no grant check
  // beyond who may take the disc.
  app.get<{ Querystring: ExportQuery }>(
    '/access/export/statement',
    {
      schema: { querystring: ExportQuery, response: { 200: HtmlPage } },
      config: { permission: 'exportEvidence' },
    },
    async (request, reply) => {
      const { outDir } = recordedExport(request, request.query);
      const sheet = await readFile(path.join(outDir, 'statement.html'), 'utf8').catch(() => null);
      if (sheet === null)
        throw new HttpError(400, request.t('dash.access.noExport', { folder: request.query.folder }));
      return reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(sheet);
    },
  );

  const refusedDecision = (request: FastifyRequest, error: unknown): never => {
    if (error instanceof ReassignmentRefused || error instanceof AccountRefused)
      throw new HttpError(409, request.t('dash.approvals.refused', { why: errorText(request.t, error) }));
    throw error;
  };

  const decideMove =
    (approve: boolean) =>
    async (request: FastifyRequest<{ Body: Static<typeof IdBody> }>, reply: FastifyReply) => {
      try {
        decideReassignment(db, request.body.id, { by: request.user!, approve }, clock.now());
      } catch (error) {
        refusedDecision(request, error);
      }
      return reply.redirect('/access', 303);
    };

  app.post<{ Body: Static<typeof IdBody> }>(
    '/access/reassignments/approve',
    { schema: { body: IdBody, response: formResponses }, config: { permission: 'decideReassignment' } },
    decideMove(true),
  );

  app.post<{ Body: Static<typeof IdBody> }>(
    '/access/reassignments/refuse',
    { schema: { body: IdBody, response: formResponses }, config: { permission: 'decideReassignment' } },
    decideMove(false),
  );

  app.post<{ Body: Static<typeof IdBody> }>(
    '/access/accounts/confirm',
    { schema: { body: IdBody, response: formResponses }, config: { permission: 'confirmAccounts' } },
    async (request, reply) => {
      try {
        confirmAccount(db, request.body.id, request.user!, clock.now());
      } catch (error) {
        refusedDecision(request, error);
      }
      return reply.redirect('/access', 303);
    },
  );
};
