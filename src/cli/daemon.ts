// evidock daemon: check the station id against its key, then run the long-running service
// (daemon/service.ts) until SIGTERM or SIGINT.
import type { Command } from 'commander';
import { Daemon } from '../daemon/service.js';
import { loadConfig } from '../home.js';
import { globalOptions } from './context.js';
import { assertStationIdMatchesKey } from './station-check.js';

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run the service: watch the docks, ingest every recorder docked (JSON logs on stdout)')
    .action(async (_opts, cmd: Command) => {
      const { config, home } = loadConfig(globalOptions(cmd));
      assertStationIdMatchesKey(config, home);
      const daemon = new Daemon(globalOptions(cmd));
      await daemon.start();
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          daemon.stop(signal).then(resolve, (err) => {
            daemon.logger.error({ err }, 'error while stopping');
            resolve();
          });
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
