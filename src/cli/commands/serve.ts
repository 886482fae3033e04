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
import { type CliCommand, t, withStation } from '../command.ts';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'cli.summary.serve',
  usage: 'station serve',
  run: () =>
    withStation(async (station) => {
      let daemon: Daemon | null = null;
      const removeHandlers = installLastResortHandlers(station.logger, () => ({
        docks: daemon?.docks.manager.active() ?? [],
      }));
      try {
        station.logger.info(
          { home: station.config.home, config: station.config.sources },
          'station starting',
        );
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
          station.logger.warn(t('cli.serve.noUsers', { url: `http://${host}:${port}/setup` }));
        }
        await untilStopSignal(station.logger);
        await daemon.controller.stop();
        station.logger.info('station stopped');
        return 0;
      } finally {
        removeHandlers();
      }
    }),
};
