import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { listUsers } from '../../../auth/users.ts';
import {
  type AlertAction,
  alertStates,
  type HandledAlert,
  handledStationAlerts,
  recentAlertActions,
  recordAlertAction,
} from '../../../compliance/alert-actions.ts';
import { alertMessage, alertSubject } from '../../../compliance/alert-messages.ts';
import { type Alert, alertKinds, stationAlerts } from '../../../compliance/alerts.ts';
import { formatDateTime } from '../../../i18n/format.ts';
import { type Html, html } from '../../html.ts';
import { HttpError } from '../../plugins/authentication.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, LanguageQuery } from '../schemas.ts';

const KindField = Type.Union(alertKinds.map((kind) => Type.Literal(kind)));
const AlertsQuery = Type.Composite([
  LanguageQuery,
  Type.Object({
    kind: Type.Optional(Type.Union([Type.Literal(''), KindField])),
    /** Every alert, not only those the reader's role acts on. */
    all: Type.Optional(Type.Boolean()),
    /** Open (default), acknowledged, or both. */
    state: Type.Optional(Type.Union(alertStates.map((state) => Type.Literal(state)))),
  }),
]);
const Reason = Type.String({ minLength: 1, maxLength: 2000 });
const AcknowledgeBody = Type.Composite([
  CsrfBody,
  Type.Object({ kind: KindField, subject: Type.String({ minLength: 1, maxLength: 500 }), reason: Reason }),
]);
const AssignBody = Type.Composite([
  AcknowledgeBody,
  Type.Object({ assignee: Type.String({ minLength: 1, maxLength: 100 }) }),
]);

/** Who may act on an alert: the roles it names, and a leader, who answers for all of them. */
const mayAct = (request: FastifyRequest, alert: Alert) =>
  alert.actBy.includes(request.user!.role) || request.user!.role === 'leader';

const alertFields = (alert: Alert) =>
  html`<input type="hidden" name="kind" value="${alert.kind}"><input type="hidden" name="subject" value="${alert.subject}">`;

function actionText(request: FastifyRequest, action: AlertAction, zone: string): string {
  const values = {
    by: action.by,
    at: formatDateTime(action.at, zone),
    reason: action.reason,
    assignee: action.assignee ?? '',
  };
  return request.t(
    action.action === 'acknowledged' ? 'dash.alerts.acknowledgedBy' : 'dash.alerts.assignedTo',
    values,
  );
}

/** What has been done about the alert, and the forms to do it. */
function handlingCell(request: FastifyRequest, alert: HandledAlert, assignees: string[], zone: string): Html {
  const { t } = request;
  const done = [alert.acknowledged, alert.assigned]
    .filter((action): action is AlertAction => action !== null)
    .map((action) => html`<p class="handled ${action.action}">${actionText(request, action, zone)}</p>`);
  const forms = mayAct(request, alert)
    ? html`${
        alert.acknowledged
          ? ''
          : html`<form method="post" action="/alerts/acknowledge" class="acknowledge">${csrfField(request)}${alertFields(alert)}
<input name="reason" size="16" required maxlength="2000" placeholder="${t('dash.alerts.reason')}"> <button type="submit">${t('dash.alerts.acknowledge')}</button></form>`
      }
<form method="post" action="/alerts/assign" class="assign">${csrfField(request)}${alertFields(alert)}
<select name="assignee" required>${assignees.map((name) => html`<option value="${name}">${name}</option>`)}</select>
<input name="reason" size="16" required maxlength="2000" placeholder="${t('dash.alerts.reason')}"> <button type="submit">${t('dash.alerts.assign')}</button></form>`
    : '';
  return html`<td class="handling">${done}${forms}</td>`;
}

export const alertRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock } = app.station;
  const zone = app.station.config.station.timezone;

  app.get<{ Querystring: Static<typeof AlertsQuery> }>(
    '/alerts',
    { schema: { querystring: AlertsQuery, response: { 200: HtmlPage } }, config: { permission: 'alerts' } },
    async (request, reply) => {
      const { t, user, query } = request;
      const state = query.state ?? 'open';
      const every = await handledStationAlerts(app.station, clock.now());
      const alerts = every
        .filter((alert) => query.all || alert.actBy.includes(user!.role))
        .filter((alert) => !query.kind || alert.kind === query.kind)
        .filter((alert) => {
          return state === 'all' || alert.state === state;
        });
      const users = listUsers(db).filter((candidate) => !candidate.disabled);
      const kinds = [...new Set(every.map((alert) => alert.kind))];
      const filter = html`<form method="get" action="/alerts" class="filters" id="alert-filters">
<label>${t('dash.alerts.kind')}<select name="kind"><option value="">${t('dash.ledger.any')}</option>
${kinds.map((kind) => html`<option value="${kind}" ${query.kind === kind ? 'selected' : ''}>${t(`dash.alert.${kind}`)}</option>`)}</select></label>
<label>${t('dash.alerts.state')}<select name="state">${alertStates.map((option) => html`<option value="${option}" ${state === option ? 'selected' : ''}>${t(`dash.alerts.state.${option}`)}</option>`)}</select></label>
<label>${t('dash.alerts.all')}<input type="checkbox" name="all" value="true" ${query.all ? 'checked' : ''}></label>
<button type="submit">${t('dash.ledger.apply')}</button></form>
<p id="alerts-total">${t('dash.alerts.total', { shown: alerts.length, all: every.length })}</p>`;
      const table = alerts.length
        ? html`<table id="alerts"><thead><tr><th>${t('dash.alerts.severity')}</th><th>${t('dash.alerts.kind')}</th><th>${t('dash.alerts.subject')}</th>
<th>${t('dash.alerts.detail')}</th><th>${t('dash.alerts.actBy')}</th><th>${t('dash.alerts.at')}</th><th>${t('dash.alerts.handling')}</th></tr></thead>
<tbody>${alerts.map((alert) => {
            const assignees = users
              .filter((candidate) => alert.actBy.includes(candidate.role))
              .map((candidate) => candidate.name);
            return html`<tr data-kind="${alert.kind}" data-subject="${alert.subject}" data-severity="${alert.severity}" data-state="${alert.state}">
<td class="${alert.severity === 'info' ? 'muted' : 'bad'}">${t(`alert.severity.${alert.severity}`)}</td><td>${t(`dash.alert.${alert.kind}`)}</td>
<td>${alert.link ? html`<a href="${alert.link}">${alertSubject(alert, t)}</a>` : alertSubject(alert, t)}</td><td class="detail">${alertMessage(alert, t, zone)}</td>
<td>${alert.actBy.map((role) => t(`dash.role.${role}`)).join('、')}</td><td>${formatDateTime(alert.since, zone)}</td>
${handlingCell(request, alert, assignees, zone)}</tr>`;
          })}</tbody></table>`
        : html`<p class="good" id="no-alerts">${t(state === 'open' ? 'dash.alerts.none' : 'dash.alerts.noneInFilter')}</p>`;
      const history = recentAlertActions(db);
      const historyTable = history.length
        ? html`<h2>${t('dash.alerts.history')}</h2><table id="alert-history"><thead><tr><th>${t('dash.alerts.at')}</th><th>${t('dash.alerts.kind')}</th>
<th>${t('dash.alerts.subject')}</th><th>${t('dash.alerts.handling')}</th></tr></thead><tbody>${history.map(
            (action) =>
              html`<tr data-action="${action.action}"><td>${formatDateTime(action.at, zone)}</td><td>${t(`dash.alert.${action.kind as Alert['kind']}`)}</td>
<td>${action.subject}</td><td>${actionText(request, action, zone)}</td></tr>`,
          )}</tbody></table>`
        : '';
      return reply.type('text/html; charset=utf-8').send(
        page(request, {
          title: t('dash.nav.alerts'),
          current: '/alerts',
          body: html`${filter}${table}${historyTable}`,
        }),
      );
    },
  );

  /** The alert as it stands now; acting on one no longer in force is refused, in the reader's words. */
  async function alertInForce(request: FastifyRequest, kind: string, subject: string): Promise<Alert> {
    const alert = (await stationAlerts(app.station, clock.now())).find(
      (candidate) => candidate.kind === kind && candidate.subject === subject,
    );
    if (!alert) throw new HttpError(409, request.t('dash.alerts.gone'));
    if (!mayAct(request, alert)) throw new HttpError(403, request.t('dash.error.forbidden'));
    return alert;
  }

  app.post<{ Body: Static<typeof AcknowledgeBody> }>(
    '/alerts/acknowledge',
    { schema: { body: AcknowledgeBody, response: formResponses }, config: { permission: 'alerts' } },
    async (request, reply) => {
      const { kind, subject, reason } = request.body;
      const alert = await alertInForce(request, kind, subject);
      if (!reason.trim()) throw new HttpError(400, request.t('dash.alerts.needsReason'));
      recordAlertAction(db, alert, { action: 'acknowledged', by: request.user!.name, reason }, clock.now());
      return reply.redirect('/alerts?state=all', 303);
    },
  );

  app.post<{ Body: Static<typeof AssignBody> }>(
    '/alerts/assign',
    { schema: { body: AssignBody, response: formResponses }, config: { permission: 'alerts' } },
    async (request, reply) => {
      const { kind, subject, reason, assignee } = request.body;
      const alert = await alertInForce(request, kind, subject);
      if (!reason.trim()) throw new HttpError(400, request.t('dash.alerts.needsReason'));
      const user = listUsers(db).find((candidate) => candidate.name === assignee && !candidate.disabled);
      if (!user || !alert.actBy.includes(user.role))
        throw new HttpError(400, request.t('dash.alerts.badAssignee', { name: assignee }));
      recordAlertAction(
        db,
        alert,
        { action: 'assigned', by: request.user!.name, reason, assignee },
        clock.now(),
      );
      return reply.redirect('/alerts?state=all', 303);
    },
  );
};
