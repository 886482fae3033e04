import { codeLabel, type MessageKey, type translator } from '../i18n/catalogue.ts';
import { formatBytes, formatDateTime, formatDuration } from '../i18n/format.ts';
import type { Alert } from './alerts.ts';

// An alert's facts in the reader's language: what it is about, and what is wrong and who should do
// what. The same words on the 提醒 page, in /api/alerts (`message`) and in the CLI.

type Translate = ReturnType<typeof translator>;

const words = (...parts: unknown[]) =>
  parts
    .filter((part) => part !== null && part !== undefined && part !== '')
    .join(' ')
    .trim();

const ids = (detail: Record<string, unknown>) =>
  ((detail.ids as number[] | undefined) ?? []).map((id) => `#${id}`).join(' ');

/** What the alert is about, for people: a recording with its officer, a recorder, an officer. */
export function alertSubject(alert: Alert, t: Translate): string {
  const { detail } = alert;
  switch (alert.kind) {
    case 'low-disk':
    case 'storage-forecast':
      return t('alert.archive');
    case 'unplayable':
    case 'late':
      return words(alert.subject, detail.officerName, detail.badge, detail.date);
    case 'interruption':
    case 'spoken-reason-absent':
      return words(alert.subject, detail.officerName, detail.badge, detail.deviceSerial);
    case 'not-docked':
      return words(alert.subject, detail.officerName, detail.badge);
    case 'late-exports':
      return words(detail.officerName, detail.badge) || t('alert.unassigned');
    case 'retention-due':
    case 'retention-expiring':
      return t('dash.nav.retention');
    default:
      return alert.subject;
  }
}

/** What is wrong and what to do, in one sentence. */
export function alertMessage(alert: Alert, t: Translate, zone: string): string {
  const { detail } = alert;
  const time = (value: unknown) => formatDateTime(value as string, zone);
  const status = () => t(`playback.${detail.status}` as MessageKey);
  switch (alert.kind) {
    case 'low-disk':
      return t('alert.detail.low-disk', {
        free: formatBytes(detail.freeBytes as number),
        percent: String(detail.percentFree),
      });
    case 'storage-forecast':
      return t('alert.detail.storage-forecast', {
        rateDays: String(detail.rateDays),
        perDay: formatBytes(detail.bytesPerDay as number),
        days: String(detail.daysUntilFull),
      });
    case 'fixity':
      return t('alert.detail.fixity', {
        path: String(detail.archivePath),
        problem: codeLabel(t, 'alert.fixity.', String(detail.problem)),
      });
    case 'job-failing':
      return t('alert.detail.job-failing', {
        failures: String(detail.failures),
        error: String(detail.lastError ?? ''),
      });
    case 'unplayable':
      return detail.note
        ? t('alert.detail.unplayableNote', { status: status(), note: String(detail.note) })
        : t('alert.detail.unplayable', { status: status() });
    case 'late':
      return t('alert.detail.late', { date: String(detail.date ?? '') });
    case 'late-exports':
      return t('alert.detail.late-exports', {
        month: String(detail.month),
        count: String(detail.lateExports),
      });
    case 'interruption': {
      const values = {
        start: time(detail.gapStart),
        end: time(detail.gapEnd),
        duration: formatDuration(detail.gapSeconds as number),
      };
      return (detail.activityKinds as string[]).length > 0
        ? t('alert.detail.interruptionActivity', values)
        : t('alert.detail.interruption', values);
    }
    case 'spoken-reason-absent':
      return t('alert.detail.spoken-reason-absent', {
        start: time(detail.gapStart),
        end: time(detail.gapEnd),
      });
    case 'not-docked':
      return t('alert.detail.not-docked', { hours: String(detail.hours) });
    case 'device-storage':
      return t('alert.detail.device-storage', { percent: String(detail.percentFree) });
    case 'device-fault':
      return String(detail.description);
    case 'retention-due':
      return t('alert.detail.retention-due', { count: String(detail.count), ids: ids(detail) });
    case 'retention-expiring':
      return t('alert.detail.retention-expiring', {
        count: String(detail.count),
        days: String(detail.windowDays),
        first: String(detail.firstEnd),
        ids: ids(detail),
      });
  }
}
