import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { addMonths } from '../src/compliance/calendar.ts';
import { addCase, closeCase, linkRecording, serveCase } from '../src/compliance/cases.ts';
import { RetentionRefused } from '../src/compliance/compliance-error.ts';
import {
  approveDeletion,
  cancelDeletion,
  listProposals,
  proposeDeletion,
  purgeDeletions,
} from '../src/compliance/deletion.ts';
import { placeHold } from '../src/compliance/holds.ts';
import { deletionContext } from '../src/compliance/jobs.ts';
import { retentionOf, retentionReview, retentionSettings } from '../src/compliance/retention.ts';
import { ConfigError, loadConfig, validate } from '../src/config/config.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { findRecording } from '../src/ledger/recordings.ts';
import {
  addReviewers,
  archivedRecording,
  type ComplianceStation,
  openTestStation,
  shanghai,
} from './helpers/compliance-fixtures.ts';

let test: ComplianceStation;

afterEach(async () => {
  await test?.close();
});

async function stationAt(now: string) {
  test = await openTestStation(shanghai(now));
  await addReviewers(test.station);
  return test.station;
}

const settingsOf = () => retentionSettings(test.station.config);
const context = () => deletionContext(test.station);
const propose = (recordingId: number) =>
  proposeDeletion(context(), { recordingId, by: 'ops1' }, test.clock.now());

describe('the retention end', () => {
  it('is six calendar months later, on the last day of a shorter month', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-03-15', 6)).toBe('2026-09-15');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
  });

  it('reaches a leap day where the year has one', () => {
    expect(addMonths('2027-08-29', 6)).toBe('2028-02-29');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
  });

  it('counts from the Shanghai date, not the UTC date, of a recording made just before midnight', async () => {
    const station = await stationAt('2026-09-01 08:00');
    // 2026-08-31 23:30 in Shanghai is still 15:30 on the 31st in UTC, but 00:30 on 1 September would not be.
    const lateNight = await archivedRecording(station, { recordedAt: shanghai('2026-08-31 23:30') });
    const afterMidnight = await archivedRecording(station, { recordedAt: shanghai('2026-09-01 00:30') });
    expect(retentionOf(station.db, settingsOf(), lateNight.id)).toMatchObject({
      retentionEnd: '2027-02-28',
      reason: 'recorded',
    });
    expect(retentionOf(station.db, settingsOf(), afterMidnight.id)?.retentionEnd).toBe('2027-03-01');
  });

  it('cannot be configured below six months', () => {
    const { home: _home, sources: _sources, ...config } = loadConfig({ STATION_HOME: '/tmp/unused' });
    expect(() => validate({ ...config, retention: { ...config.retention, months: 5 } })).toThrow(
      /retention\.months/,
    );
    expect(() => validate({ ...config, retention: { ...config.retention, months: 5 } })).toThrow(ConfigError);
    expect(validate({ ...config, retention: { ...config.retention, months: 12 } }).retention.months).toBe(12);
    expect(config.retention).toEqual({ months: 6, expiringWindowDays: 30, graceDays: 7 });
  });
});

describe('deleting too early is refused', () => {
  it('throughout the last day of the six months, across a month end', async () => {
    const station = await stationAt('2027-02-28 23:59');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-08-31 10:00') });
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
    test.clock.set(shanghai('2027-03-01 00:00'));
    expect(propose(recording.id).state).toBe('proposed');
  });

  it('on a leap day that ends the period', async () => {
    const station = await stationAt('2028-02-29 12:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2027-08-29 09:00') });
    expect(() => propose(recording.id)).toThrow(/until the end of 2028-02-29/);
    test.clock.set(shanghai('2028-03-01 00:01'));
    expect(propose(recording.id).state).toBe('proposed');
  });

  it('until six months after the final decision was served, when that is later', async () => {
    const station = await stationAt('2026-03-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    addCase(station.db, { number: '丰执罚〔2026〕12号', type: '行政处罚', by: 'clerk1' }, test.clock.now());
    linkRecording(
      station.db,
      { number: '丰执罚〔2026〕12号', recordingId: recording.id, by: 'clerk1' },
      test.clock.now(),
    );
    test.clock.set(shanghai('2026-05-20 15:00'));
    serveCase(
      station.db,
      { number: '丰执罚〔2026〕12号', servedAt: shanghai('2026-05-20 10:00'), by: 'clerk1' },
      test.clock.now(),
    );
    expect(retentionOf(station.db, settingsOf(), recording.id)).toMatchObject({
      retentionEnd: '2026-11-20',
      reason: 'case-served',
      caseNumber: '丰执罚〔2026〕12号',
    });
    test.clock.set(shanghai('2026-07-11 09:00')); // six months after recording, not after service
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
    test.clock.set(shanghai('2026-11-20 23:00'));
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
    test.clock.set(shanghai('2026-11-21 00:00'));
    expect(propose(recording.id).state).toBe('proposed');
  });

  it('for as long as a linked case has no served decision', async () => {
    const station = await stationAt('2026-01-10 12:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    addCase(station.db, { number: 'C-OPEN', type: '行政检查', by: 'clerk1' }, test.clock.now());
    linkRecording(
      station.db,
      { number: 'C-OPEN', recordingId: recording.id, stage: '调查取证', by: 'clerk1' },
      test.clock.now(),
    );
    test.clock.set(shanghai('2029-01-01 00:00'));
    expect(retentionOf(station.db, settingsOf(), recording.id)).toMatchObject({
      retentionEnd: null,
      reason: 'open-case',
    });
    expect(() => propose(recording.id)).toThrow(/case C-OPEN is not yet served/);
  });

  it('until six months after a case closed with no decision served', async () => {
    const station = await stationAt('2026-01-10 12:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    addCase(station.db, { number: 'C-DROPPED', type: '行政检查', by: 'clerk1' }, test.clock.now());
    linkRecording(
      station.db,
      { number: 'C-DROPPED', recordingId: recording.id, by: 'clerk1' },
      test.clock.now(),
    );
    test.clock.set(shanghai('2026-04-30 16:00'));
    closeCase(station.db, { number: 'C-DROPPED', by: 'clerk1' }, test.clock.now());
    expect(retentionOf(station.db, settingsOf(), recording.id)).toMatchObject({
      retentionEnd: '2026-10-30',
      reason: 'case-closed',
    });
    test.clock.set(shanghai('2026-10-30 23:59'));
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
    test.clock.set(shanghai('2026-10-31 00:00'));
    expect(propose(recording.id).state).toBe('proposed');
  });

  it('forever for a recording under a hold', async () => {
    const station = await stationAt('2026-01-10 12:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    placeHold(
      station.db,
      { kind: 'obstruction', recordingId: recording.id, by: 'leader1' },
      test.clock.now(),
    );
    test.clock.set(shanghai('2036-01-01 00:00'));
    expect(retentionOf(station.db, settingsOf(), recording.id)).toMatchObject({
      retentionEnd: null,
      reason: 'hold-obstruction',
    });
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
  });

  it('forever for every recording of a case under a hold, even after service', async () => {
    const station = await stationAt('2026-01-10 12:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    addCase(station.db, { number: 'C-MASS', type: '行政强制', by: 'clerk1' }, test.clock.now());
    linkRecording(
      station.db,
      { number: 'C-MASS', recordingId: recording.id, by: 'clerk1' },
      test.clock.now(),
    );
    serveCase(
      station.db,
      { number: 'C-MASS', servedAt: shanghai('2026-01-10 11:00'), by: 'clerk1' },
      test.clock.now(),
    );
    placeHold(station.db, { kind: 'mass-incident', caseNumber: 'C-MASS', by: 'leader1' }, test.clock.now());
    test.clock.set(shanghai('2030-01-01 00:00'));
    expect(retentionOf(station.db, settingsOf(), recording.id)?.reason).toBe('hold-mass-incident');
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
  });

  it('for six months after ingest when the recorder clock had been reset', async () => {
    const station = await stationAt('2026-08-31 09:00');
    const recording = await archivedRecording(station, {
      recordedAt: shanghai('2000-01-01 00:05'),
      ingestedAt: shanghai('2026-03-01 09:00'),
      timeFlags: ['clock-reset'],
    });
    expect(retentionOf(station.db, settingsOf(), recording.id)).toMatchObject({
      retentionEnd: '2026-09-01',
      reason: 'ingested',
    });
    expect(() => propose(recording.id)).toThrow(RetentionRefused);
    test.clock.set(shanghai('2026-09-02 00:00'));
    expect(propose(recording.id).state).toBe('proposed');
  });

  it('at approval, when an open case was linked after the proposal', async () => {
    const station = await stationAt('2026-09-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    propose(recording.id);
    addCase(station.db, { number: 'C-LATE', type: '行政处罚', by: 'clerk1' }, test.clock.now());
    linkRecording(
      station.db,
      { number: 'C-LATE', recordingId: recording.id, by: 'clerk1' },
      test.clock.now(),
    );
    expect(() =>
      approveDeletion(context(), { recordingId: recording.id, by: 'leader1' }, test.clock.now()),
    ).toThrow(/case C-LATE is not yet served/);
  });

  it('when a hold arrives during the grace period: the approval is withdrawn and the file stays', async () => {
    const station = await stationAt('2026-09-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    propose(recording.id);
    approveDeletion(context(), { recordingId: recording.id, by: 'leader1' }, test.clock.now());
    placeHold(station.db, { kind: 'evidence', recordingId: recording.id, by: 'leader1' }, test.clock.now());
    test.clock.advance(8 * 86_400_000);
    const report = await purgeDeletions(context(), test.clock.now());
    expect(report).toMatchObject({ deleted: [], withdrawn: [{ recordingId: recording.id }] });
    expect(existsSync(station.archive.absolutePath(recording.archivePath!))).toBe(true);
    expect(listProposals(station.db)[0].state).toBe('cancelled');
  });
});

describe('deletion through review', () => {
  it('needs ops to propose and a leader, not the proposer, to approve', async () => {
    const station = await stationAt('2026-09-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    expect(() =>
      proposeDeletion(context(), { recordingId: recording.id, by: 'clerk1' }, test.clock.now()),
    ).toThrow(/needs the role Ops/);
    propose(recording.id);
    expect(() =>
      approveDeletion(context(), { recordingId: recording.id, by: 'ops1' }, test.clock.now()),
    ).toThrow(/needs the role Leader/);
    expect(
      approveDeletion(context(), { recordingId: recording.id, by: 'leader1' }, test.clock.now()).state,
    ).toBe('approved');
    expect(retentionReview(station.db, settingsOf(), '2026-09-01').due[0]).toMatchObject({
      id: recording.id,
      deletion: 'approved',
    });
  });

  it('deletes nothing on its own: recordings past their end only wait on the review list', async () => {
    const station = await stationAt('2027-06-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    const review = retentionReview(station.db, settingsOf(), '2027-06-01');
    expect(review.due.map((item) => item.id)).toEqual([recording.id]);
    expect(await purgeDeletions(context(), test.clock.now())).toEqual({ deleted: [], withdrawn: [] });
    expect(existsSync(station.archive.absolutePath(recording.archivePath!))).toBe(true);
  });

  it('keeps the file through the grace period, and a withdrawal there keeps it for good', async () => {
    const station = await stationAt('2026-09-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    propose(recording.id);
    approveDeletion(context(), { recordingId: recording.id, by: 'leader1' }, test.clock.now());
    test.clock.advance(7 * 86_400_000 - 60_000);
    expect((await purgeDeletions(context(), test.clock.now())).deleted).toEqual([]);
    cancelDeletion(
      context(),
      { recordingId: recording.id, by: 'ops1', reason: 'needed for a complaint' },
      test.clock.now(),
    );
    test.clock.advance(30 * 86_400_000);
    expect((await purgeDeletions(context(), test.clock.now())).deleted).toEqual([]);
    expect(existsSync(station.archive.absolutePath(recording.archivePath!))).toBe(true);
  });

  it('removes the read-only file after the grace period and keeps the ledger row and its history', async () => {
    const station = await stationAt('2026-09-01 09:00');
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-01-10 09:00') });
    const file = station.archive.absolutePath(recording.archivePath!);
    propose(recording.id);
    approveDeletion(context(), { recordingId: recording.id, by: 'leader1' }, test.clock.now());
    test.clock.advance(7 * 86_400_000);
    expect((await purgeDeletions(context(), test.clock.now())).deleted).toEqual([recording.id]);
    expect(existsSync(file)).toBe(false);
    const row = findRecording(station.db, recording.id);
    expect(row).toMatchObject({ id: recording.id, sha256: recording.sha256, archivePath: null });
    const trail = auditTrail(station.db, 'recording', recording.id);
    expect(trail.map((entry) => entry.action)).toEqual([
      'retention-decision',
      'retention-decision',
      'deletion',
    ]);
    expect(trail[2].detail).toMatchObject({
      archivePath: recording.archivePath,
      proposedBy: 'ops1',
      approvedBy: 'leader1',
    });
    expect(listProposals(station.db)[0]).toMatchObject({
      state: 'deleted',
      archivePath: recording.archivePath,
    });
    expect(retentionReview(station.db, settingsOf(), '2026-09-10').due).toEqual([]);
  });
});

describe('the review list', () => {
  it('splits recordings into due, expiring within the window, and held', async () => {
    const station = await stationAt('2026-12-01 09:00');
    const due = await archivedRecording(station, { recordedAt: shanghai('2026-05-31 09:00') });
    const expiring = await archivedRecording(station, { recordedAt: shanghai('2026-06-20 09:00') });
    const later = await archivedRecording(station, { recordedAt: shanghai('2026-11-01 09:00') });
    const held = await archivedRecording(station, { recordedAt: shanghai('2026-01-01 09:00') });
    placeHold(station.db, { kind: 'evidence', recordingId: held.id, by: 'leader1' }, test.clock.now());
    const review = retentionReview(station.db, settingsOf(), '2026-12-01');
    expect(review.due.map((item) => [item.id, item.retentionEnd])).toEqual([[due.id, '2026-11-30']]);
    expect(review.expiring.map((item) => [item.id, item.retentionEnd])).toEqual([
      [expiring.id, '2026-12-20'],
    ]);
    expect(review.held.map((item) => [item.id, item.retentionEnd, item.reason])).toEqual([
      [held.id, null, 'hold-evidence'],
    ]);
    expect([...review.due, ...review.expiring, ...review.held].map((item) => item.id)).not.toContain(
      later.id,
    );
  });
});
