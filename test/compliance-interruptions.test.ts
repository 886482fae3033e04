import { afterEach, describe, expect, it } from 'vitest';
import { tagActivity } from '../src/compliance/activity-tags.ts';
import {
  acceptInterruption,
  explainInterruption,
  findInterruptionItem,
  openInterruptions,
} from '../src/compliance/interruptions.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import {
  archivedRecording,
  type ComplianceStation,
  openTestStation,
  recordGap,
  shanghai,
} from './helpers/compliance-fixtures.ts';

let test: ComplianceStation;

afterEach(async () => {
  await test?.close();
});

async function oneGap() {
  test = await openTestStation(shanghai('2026-11-20 09:00'));
  const { station } = test;
  const before = await archivedRecording(station, { recordedAt: shanghai('2026-11-20 08:00') });
  const after = await archivedRecording(station, { recordedAt: shanghai('2026-11-20 08:10') });
  return {
    station,
    id: recordGap(station, { before, after, badge: '010001', detectedAt: test.clock.now() }),
    after,
  };
}

describe('an interruption (art. 18)', () => {
  it('is explained by the officer, then accepted by a clerk, each step audited', async () => {
    const { station, id } = await oneGap();
    explainInterruption(
      station.db,
      { id, explanation: '雨天设备进水，擦干后恢复录制', by: '010001' },
      test.clock.now(),
    );
    test.clock.advance(3600_000);
    const accepted = acceptInterruption(station.db, { id, by: 'clerk1' }, test.clock.now());
    expect(accepted).toMatchObject({
      explanation: '雨天设备进水，擦干后恢复录制',
      explainedBy: '010001',
      acceptedBy: 'clerk1',
      acceptedAt: shanghai('2026-11-20 10:00').toISOString(),
    });
    expect(openInterruptions(station.db)).toEqual([]);
    expect(auditTrail(station.db, 'interruption', id).map((entry) => entry.action)).toEqual([
      'interruption-explained',
      'interruption-accepted',
    ]);
  });

  it('cannot be accepted without an explanation, nor explained with an empty one', async () => {
    const { station, id } = await oneGap();
    expect(() => acceptInterruption(station.db, { id, by: 'clerk1' }, test.clock.now())).toThrow(
      /no explanation/,
    );
    expect(() =>
      explainInterruption(station.db, { id, explanation: '   ', by: '010001' }, test.clock.now()),
    ).toThrow(/must not be empty/);
    expect(findInterruptionItem(station.db, id)?.acceptedAt).toBeNull();
  });

  it('carries the art. 20 activity kinds of its segments', async () => {
    const { station, id, after } = await oneGap();
    tagActivity(
      station.db,
      { recordingId: after.id, kind: 'forced-execution', by: 'clerk1' },
      test.clock.now(),
    );
    expect(findInterruptionItem(station.db, id)?.activityKinds).toEqual(['forced-execution']);
    expect(() =>
      tagActivity(station.db, { recordingId: after.id, kind: 'parade', by: 'clerk1' }, test.clock.now()),
    ).toThrow(/unknown activity kind/);
  });
});
