import { defineDriver } from '../src/drivers/driver.ts';

// The naming most GA/T 947 recorders use: product serial, badge (警号/执法证号), local start time, sequence.
// e.g. DSJ0001_100234_20261126183005_0001.MP4
export default defineDriver({
  id: 'named-recorder',
  name: 'Recorder naming files serial_badge_time_seq (GA/T 947 style)',
  priority: 10,
  match: { fileNames: true },
  fileNames: ['{serial}_{badge}_{start:YYYYMMDDHHmmss}_{seq}.{ext}'],
  creationTime: 'utc',
});
