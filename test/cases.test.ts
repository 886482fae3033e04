import { afterEach, describe, expect, it } from 'vitest';
import {
  addCase,
  caseDetail,
  casesOfRecording,
  closeCase,
  findCase,
  linkRecording,
  serveCase,
} from '../src/compliance/cases.ts';
import { ComplianceError } from '../src/compliance/compliance-error.ts';
import { auditTrail } from '../src/custody/audit-log.ts';
import { insertRecording } from '../src/ledger/recordings.ts';
import {
  archivedRecording,
  type ComplianceStation,
  openTestStation,
  shanghai,
} from './helpers/compliance-fixtures.ts';

let test: ComplianceStation;

afterEach(async () => {
  await test?.close();
});

async function stationWithCase(number = '丰执检〔2026〕7号', type = '行政检查') {
  test = await openTestStation(shanghai('2026-03-02 10:00'));
  addCase(test.station.db, { number, type, by: 'clerk1' }, test.clock.now());
  return test.station;
}

describe('a case', () => {
  it('has a unique number, an enforcement type and starts open and unserved', async () => {
    const station = await stationWithCase();
    expect(findCase(station.db, '丰执检〔2026〕7号')).toMatchObject({
      enforcementType: '行政检查',
      status: 'open',
      servedAt: null,
      createdBy: 'clerk1',
    });
    expect(() =>
      addCase(station.db, { number: '丰执检〔2026〕7号', type: '行政处罚', by: 'clerk1' }, test.clock.now()),
    ).toThrow(/already exists/);
    expect(auditTrail(station.db, 'case', '丰执检〔2026〕7号')[0]).toMatchObject({
      action: 'case-change',
      actor: 'clerk1',
    });
  });

  it('refuses an enforcement type the regulation does not name', async () => {
    const station = await stationWithCase();
    expect(() =>
      addCase(station.db, { number: 'X-1', type: '罚款', by: 'clerk1' }, test.clock.now()),
    ).toThrow(ComplianceError);
  });

  it('lists every linked recording with its stage, including the special stages', async () => {
    const station = await stationWithCase();
    const first = await archivedRecording(station, { recordedAt: shanghai('2026-03-01 09:00') });
    const second = await archivedRecording(station, { recordedAt: shanghai('2026-03-01 11:00') });
    linkRecording(
      station.db,
      { number: '丰执检〔2026〕7号', recordingId: first.id, stage: '受案', by: 'clerk1' },
      test.clock.now(),
    );
    linkRecording(
      station.db,
      { number: '丰执检〔2026〕7号', recordingId: second.id, stage: '先行登记保存', by: 'clerk1' },
      test.clock.now(),
    );
    const detail = caseDetail(station.db, '丰执检〔2026〕7号', 'Asia/Shanghai');
    expect(detail?.recordings.map((recording) => [recording.id, recording.stage, recording.sha256])).toEqual([
      [first.id, '受案', first.sha256],
      [second.id, '先行登记保存', second.sha256],
    ]);
    expect(auditTrail(station.db, 'recording', second.id)[0]).toMatchObject({
      action: 'case-link',
      detail: { case: '丰执检〔2026〕7号', stage: '先行登记保存' },
    });
  });

  it('moves a recording to a new stage when it is linked again', async () => {
    const station = await stationWithCase();
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-03-01 09:00') });
    linkRecording(
      station.db,
      { number: '丰执检〔2026〕7号', recordingId: recording.id, stage: '立案', by: 'clerk1' },
      test.clock.now(),
    );
    linkRecording(
      station.db,
      { number: '丰执检〔2026〕7号', recordingId: recording.id, stage: '调查取证', by: 'clerk1' },
      test.clock.now(),
    );
    expect(casesOfRecording(station.db, recording).map((item) => item.stage)).toEqual(['调查取证']);
  });

  it('refuses an unknown stage and an unknown recording', async () => {
    const station = await stationWithCase();
    const recording = await archivedRecording(station, { recordedAt: shanghai('2026-03-01 09:00') });
    expect(() =>
      linkRecording(
        station.db,
        { number: '丰执检〔2026〕7号', recordingId: recording.id, stage: '审批', by: 'clerk1' },
        test.clock.now(),
      ),
    ).toThrow(/unknown stage/);
    expect(() =>
      linkRecording(
        station.db,
        { number: '丰执检〔2026〕7号', recordingId: 999, by: 'clerk1' },
        test.clock.now(),
      ),
    ).toThrow(/no recording #999/);
    expect(() =>
      linkRecording(
        station.db,
        { number: 'NOPE', recordingId: recording.id, by: 'clerk1' },
        test.clock.now(),
      ),
    ).toThrow(/no case NOPE/);
  });

  it('links the original when given a duplicate, since both are the same footage', async () => {
    const station = await stationWithCase();
    const original = await archivedRecording(station, { recordedAt: shanghai('2026-03-01 09:00') });
    const {
      id: _id,
      deviceSerial: _serial,
      playback: _playback,
      playbackDetail: _detail,
      probedAt: _probed,
      confirmedAt: _confirmed,
      confirmedBy: _by,
      ...copy
    } = original;
    const duplicate = insertRecording(station.db, { ...copy, duplicateOf: original.id, archivePath: null });
    const link = linkRecording(
      station.db,
      { number: '丰执检〔2026〕7号', recordingId: duplicate.id, by: 'clerk1' },
      test.clock.now(),
    );
    expect(link.recordingId).toBe(original.id);
    expect(casesOfRecording(station.db, duplicate).map((item) => item.number)).toEqual(['丰执检〔2026〕7号']);
  });

  it('records when its final decision was served, never in the future, and can be closed', async () => {
    const station = await stationWithCase();
    expect(() =>
      serveCase(
        station.db,
        { number: '丰执检〔2026〕7号', servedAt: shanghai('2026-03-03 09:00'), by: 'clerk1' },
        test.clock.now(),
      ),
    ).toThrow(/future/);
    const served = serveCase(
      station.db,
      { number: '丰执检〔2026〕7号', servedAt: shanghai('2026-03-02 09:00'), by: 'clerk1' },
      test.clock.now(),
    );
    expect(served.servedAt).toBe(shanghai('2026-03-02 09:00').toISOString());
    expect(
      closeCase(station.db, { number: '丰执检〔2026〕7号', by: 'clerk1' }, test.clock.now()),
    ).toMatchObject({ status: 'closed' });
    expect(auditTrail(station.db, 'case', '丰执检〔2026〕7号').map((entry) => entry.detail.change)).toEqual([
      'created',
      'served',
      'closed',
    ]);
  });
});
