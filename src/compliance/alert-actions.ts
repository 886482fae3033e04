import { appendAudit } from '../custody/audit-log.ts';
import type { Db } from '../ledger/database.ts';
import type { Station } from '../station.ts';
import { type Alert, type Severity, severities, stationAlerts } from './alerts.ts';
import { ComplianceError } from './compliance-error.ts';

// What people did about an alert. Alerts are computed, never stored (alerts.ts), so an act is kept
// against the alert's kind and subject: acknowledging it (someone knows and takes it on, saying
// how) or assigning it to a named user. Each act is a new row and an audit entry, never an update.
// An acknowledgement holds while the alert is the same one: if it grows more severe, or its cause
// begins again after the acknowledgement (`since`), it is open again.

export interface AlertAction {
  id: number;
  kind: string;
  subject: string;
  severity: Severity;
  action: 'acknowledged' | 'assigned';
  by: string;
  assignee: string | null;
  reason: string;
  at: string;
}

/**
 * An alert in force and where it stands with people: open until someone acknowledges it. The page, the
 * JSON API and the hourly job all read alerts this way, so none raises what another shows as taken on.
 */
export interface HandledAlert extends Alert {
  state: 'open' | 'acknowledged';
  acknowledged: AlertAction | null;
  assigned: AlertAction | null;
}

export const alertStates = ['open', 'acknowledged', 'all'] as const;
export type AlertStateFilter = (typeof alertStates)[number];

const selectAction = `SELECT id, kind, subject, severity, action, by_user AS by, assignee, reason, at FROM alert_actions`;

const rank = (severity: Severity) => severities.indexOf(severity);

/** Each alert with the latest acts on it, and whether its acknowledgement still holds. */
export function withHandling(db: Db, alerts: Alert[]): HandledAlert[] {
  const latest = db.prepare(
    `${selectAction} WHERE kind = ? AND subject = ? AND action = ? ORDER BY id DESC LIMIT 1`,
  );
  return alerts.map((alert) => {
    const acknowledged = latest.get(alert.kind, alert.subject, 'acknowledged') as AlertAction | undefined;
    const holds =
      acknowledged &&
      rank(acknowledged.severity) >= rank(alert.severity) &&
      (!alert.since || Date.parse(acknowledged.at) >= Date.parse(alert.since));
    return {
      ...alert,
      state: holds ? 'acknowledged' : 'open',
      acknowledged: holds ? acknowledged : null,
      assigned: (latest.get(alert.kind, alert.subject, 'assigned') as AlertAction | undefined) ?? null,
    };
  });
}

/** The alerts of a running station, each with where it stands with people. */
export async function handledStationAlerts(station: Station, now: Date): Promise<HandledAlert[]> {
  return withHandling(station.db, await stationAlerts(station, now));
}

export function recordAlertAction(
  db: Db,
  alert: Alert,
  act: { action: AlertAction['action']; by: string; reason: string; assignee?: string | null },
  now: Date,
): AlertAction {
  const reason = act.reason.trim();
  if (!reason) throw new ComplianceError({ key: 'compliance.error.alertReason' });
  if (act.action === 'assigned' && !act.assignee)
    throw new ComplianceError({ key: 'compliance.error.assignee' });
  const at = now.toISOString();
  return db
    .transaction(() => {
      const result = db
        .prepare(
          `INSERT INTO alert_actions (kind, subject, severity, action, by_user, assignee, reason, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(alert.kind, alert.subject, alert.severity, act.action, act.by, act.assignee ?? null, reason, at);
      appendAudit(
        db,
        {
          actor: act.by,
          action: act.action === 'acknowledged' ? 'alert-acknowledged' : 'alert-assigned',
          subjectType: 'alert',
          subjectId: `${alert.kind} ${alert.subject}`,
          detail: { severity: alert.severity, reason, assignee: act.assignee ?? null, facts: alert.detail },
        },
        now,
      );
      return db.prepare(`${selectAction} WHERE id = ?`).get(Number(result.lastInsertRowid)) as AlertAction;
    })
    .immediate();
}

/** The latest acts on alerts, newest first: the history that stays when an alert is gone. */
export function recentAlertActions(db: Db, limit = 50): AlertAction[] {
  return db.prepare(`${selectAction} ORDER BY id DESC LIMIT ?`).all(limit) as AlertAction[];
}
