import { hasUsers } from '../../auth/users.ts';
import { createSchedulerService } from '../../compliance/scheduler-service.ts';
import { auditDigestJob } from '../../custody/audit-digest.ts';
import { exportCleanupJob } from '../../custody/export-cleanup.ts';
import { fixityJob } from '../../custody/fixity-job.ts';
import { createDaemon, type Daemon } from '../../daemon/daemon.ts';
import { installLastResortHandlers } from '../../daemon/last-resort.ts';
import { resumeUnfinishedWork } from '../../daemon/resume.ts';
import { untilStopSignal } from '../../daemon/signals.ts';
import { createDashboardService } from '../../dashboard/service.ts';
import { districtSettings } from '../../district/district-settings.ts';
import { districtSyncService } from '../../district/district-sync-service.ts';
import { openStation } from '../../station.ts';
import type { CliCommand } from '../command.ts';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the station: watch for docked recorders and copy them (npm start); stops on SIGINT/SIGTERM',
  usage: 'station serve',
  async run() {
    const station = await openStation();
    let daemon: Daemon | null = null;
    const removeHandlers = installLastResortHandlers(station.logger, () => ({
      docks: daemon?.docks.manager.active() ?? [],
    }));
    try {
      station.logger.info({ home: station.config.home, config: station.config.sources }, 'station starting');
      await resumeUnfinishedWork(station);
      daemon = createDaemon(station);
      daemon.controller.add(
        createSchedulerService(station, [
          fixityJob(station),
          auditDigestJob(station),
          exportCleanupJob(station),
        ]),
      );
      daemon.controller.add(createDashboardService(station));
      const district = districtSettings(station.config);
      if (district) daemon.controller.add(districtSyncService(station, district));
      await daemon.controller.start();
      if (!hasUsers(station.db)) {
        const { host, port } = station.config.http;
        station.logger.warn(
          `no users yet: open http://${host}:${port}/setup on this PC to create the first administrator, ` +
            'or run: npx station users add NAME --role admin --password-stdin',
        );
      }
      await untilStopSignal(station.logger);
      await daemon.controller.stop();
      station.logger.info('station stopped');
      return 0;
    } finally {
      removeHandlers();
      station.close();
    }
  },
};
