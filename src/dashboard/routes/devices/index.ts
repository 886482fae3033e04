import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { appendAudit } from '../../../custody/audit-log.ts';
import { clockOffsetLabel, driverLabel, formatBytes, formatDateTime } from '../../../i18n/format.ts';
import { assignDevice, listAssignments } from '../../../ledger/devices.ts';
import { LedgerError, listOfficers } from '../../../ledger/officers.ts';
import { parseUserTime } from '../../../time/zone.ts';
import { allows } from '../../access.ts';
import { listFaults, reportFault, resolveFault } from '../../data/device-faults.ts';
import { deviceOverview } from '../../data/device-overview.ts';
import { html } from '../../html.ts';
import { csrfField, page } from '../../views/layout.ts';
import { CsrfBody, formResponses, HtmlPage, IdParams, LanguageQuery } from '../schemas.ts';

const AssignBody = Type.Composite([
  CsrfBody,
  Type.Object({
    serial: Type.String({ minLength: 1, maxLength: 50 }),
    badge: Type.String({ minLength: 1, maxLength: 50 }),
    from: Type.String({ minLength: 1, maxLength: 40 }),
  }),
]);
const FaultBody = Type.Composite([
  CsrfBody,
  Type.Object({
    serial: Type.String({ minLength: 1, maxLength: 50 }),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
  }),
]);

export const deviceRoutes: FastifyPluginAsync = async (app) => {
  const { db, clock, config } = app.station;
  const zone = config.station.timezone;

  app.get<{ Querystring: Static<typeof LanguageQuery> }>(
    '/devices',
    {
      schema: { querystring: LanguageQuery, response: { 200: HtmlPage } },
      config: { permission: 'devices' },
    },
    async (request, reply) => {
      const { t, user } = request;
      const devices = deviceOverview(db, clock.now());
      const assignments = listAssignments(db);
      const faults = listFaults(db);
      const officers = listOfficers(db);
      const canResolve = allows('resolveFault', user!.role);
      const serialOptions = devices.map(
        (device) => html`<option value="${device.serial}">${device.serial}</option>`,
      );
      const body = html`
<table id="devices"><thead><tr><th>${t('ledger.device')}</th><th>${t('dash.devices.model')}</th><th>${t('dash.devices.holder')}</th>
<th>${t('dash.devices.lastDock')}</th><th>${t('dash.devices.clockOffset')}</th><th>${t('dash.devices.freeStorage')}</th><th>${t('dash.devices.battery')}</th><th>${t('dash.devices.openFaults')}</th></tr></thead>
<tbody>${devices.map(
        (
          device,
        ) => html`<tr data-serial="${device.serial}"><td>${device.serial}</td><td>${device.model ?? driverLabel(t, app.station.drivers, device.driver)}</td>
<td class="holder">${
          device.holderBadge
            ? html`${device.holderName ?? ''} ${device.holderBadge}${device.holderSource === 'recordings' ? html` <span class="muted">${t('dash.devices.holderFromRecordings')}</span>` : ''}`
            : html`<span class="muted">${t('common.unassigned')}</span>`
        }</td>
<td>${device.lastDockId && allows('ledger', request.user!.role) ? html`<a href="/ledger?dock=${device.lastDockId}">${formatDateTime(device.lastDockAt, zone)}</a>` : formatDateTime(device.lastDockAt, zone)}</td>
<td>${device.clockOffsetSeconds === null ? '' : clockOffsetLabel(t, device.clockOffsetSeconds)}</td>
<td>${device.freeBytes === null ? '' : `${formatBytes(device.freeBytes)} / ${formatBytes(device.totalBytes)}`}</td>
<td>${device.batteryPercent === null ? '' : `${device.batteryPercent}%`}</td>
<td class="${device.openFaults ? 'bad' : ''}">${device.openFaults}</td></tr>`,
      )}</tbody></table>
${
  allows('assignDevice', user!.role)
    ? html`<form method="post" action="/devices/assign" class="card filters" id="assign-device">${csrfField(request)}
<strong>${t('dash.devices.assign')}</strong>
<label>${t('ledger.device')}<input name="serial" list="device-serials" required></label><datalist id="device-serials">${serialOptions}</datalist>
<label>${t('ledger.officerName')}<select name="badge" required>${officers.map((officer) => html`<option value="${officer.badge}">${officer.name} ${officer.badge}</option>`)}</select></label>
<label>${t('dash.devices.from')}<input name="from" type="datetime-local" required></label>
<button type="submit">${t('dash.devices.assignButton')}</button></form>`
    : ''
}
${
  allows('reportFault', user!.role)
    ? html`<form method="post" action="/devices/faults" class="card filters" id="report-fault">${csrfField(request)}
<strong>${t('dash.devices.reportFault')}</strong>
<label>${t('ledger.device')}<select name="serial" required>${serialOptions}</select></label>
<label>${t('dash.devices.faultDescription')}<input name="description" size="50" required></label>
<button type="submit">${t('dash.devices.reportButton')}</button></form>`
    : ''
}
<h2>${t('dash.devices.assignments')}</h2>
<table id="assignments"><thead><tr><th>${t('ledger.device')}</th><th>${t('ledger.officerName')}</th><th>${t('dash.devices.from')}</th><th>${t('dash.devices.to')}</th></tr></thead>
<tbody>${assignments.map(
        (
          assignment,
        ) => html`<tr><td>${assignment.serial}</td><td>${assignment.officerName} ${assignment.badge}</td>
<td>${formatDateTime(assignment.validFrom, zone)}</td><td>${formatDateTime(assignment.validTo, zone)}</td></tr>`,
      )}</tbody></table>
<h2>${t('dash.devices.faults')}</h2>
<table id="faults"><thead><tr><th>${t('ledger.device')}</th><th>${t('dash.devices.faultDescription')}</th><th>${t('dash.devices.reportedBy')}</th><th>${t('dash.devices.reportedAt')}</th><th>${t('dash.devices.resolved')}</th></tr></thead>
<tbody>${faults.map(
        (
          fault,
        ) => html`<tr data-fault="${fault.id}"><td>${fault.serial}</td><td>${fault.description}</td><td>${fault.reportedBy}</td>
<td>${formatDateTime(fault.reportedAt, zone)}</td><td>${
          fault.resolvedAt
            ? `${formatDateTime(fault.resolvedAt, zone)} ${fault.resolvedBy ?? ''}`
            : canResolve
              ? html`<form class="inline" method="post" action="/devices/faults/${fault.id}/resolve">${csrfField(request)}<button type="submit">${t('dash.devices.resolve')}</button></form>`
              : ''
        }</td></tr>`,
      )}</tbody></table>`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.devices'), current: '/devices', body }));
    },
  );

  app.post<{ Body: Static<typeof AssignBody> }>(
    '/devices/assign',
    { schema: { body: AssignBody, response: formResponses }, config: { permission: 'assignDevice' } },
    async (request, reply) => {
      const { serial, badge } = request.body;
      const from = parseUserTime(request.body.from, zone);
      if (!from) throw new LedgerError(request.t('dash.error.badTime'));
      db.transaction(() => {
        const assignment = assignDevice(db, { serial: serial.trim(), badge, from, to: null }, clock.now());
        appendAudit(
          db,
          {
            actor: request.user!.name,
            action: 'assign-device',
            subjectType: 'device',
            subjectId: assignment.serial,
            detail: { badge, from: assignment.validFrom },
          },
          clock.now(),
        );
      }).immediate();
      return reply.redirect('/devices', 303);
    },
  );

  app.post<{ Body: Static<typeof FaultBody> }>(
    '/devices/faults',
    { schema: { body: FaultBody, response: formResponses }, config: { permission: 'reportFault' } },
    async (request, reply) => {
      reportFault(db, request.body.serial, request.body.description.trim(), request.user!.name, clock.now());
      return reply.redirect('/devices', 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CsrfBody> }>(
    '/devices/faults/:id/resolve',
    {
      schema: { params: IdParams, body: CsrfBody, response: formResponses },
      config: { permission: 'resolveFault' },
    },
    async (request, reply) => {
      resolveFault(db, request.params.id, request.user!.name, clock.now());
      return reply.redirect('/devices', 303);
    },
  );
};
