import { defineDriver } from '../src/drivers/driver.ts';

// Catches every volume no other driver claims: recordings anywhere below the root, DCIM-style or not.
// The templates read the timestamps most recorders put in their names; the rest falls back to
// container metadata and file system times.
export default defineDriver({
  id: 'generic',
  name: 'Generic mass-storage recorder (通用U盘模式)',
  priority: 0,
  match: { any: true },
  fileNames: [
    '{any}{start:YYYYMMDDHHmmss}{any}.{ext}',
    '{any}{start:YYYYMMDD_HHmmss}{any}.{ext}',
    '{any}{start:YYYYMMDD-HHmmss}{any}.{ext}',
    '{any}{start:YYYY-MM-DD_HH-mm-ss}{any}.{ext}',
    '{any}{start:YYYY-MM-DD HH-mm-ss}{any}.{ext}',
    // Novatek-based recorders and dash cameras: 2026_1126_183005_001.MOV
    '{any}{start:YYYY_MMDD_HHmmss}{any}.{ext}',
  ],
  creationTime: 'utc',
});
