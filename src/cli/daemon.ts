// evidock daemon: check the station id against its key, then run the long-running service
// (daemon/service.ts) and its station page (web/) until SIGTERM or SIGINT.
import type { Command } from 'commander';
import { Daemon } from '../daemon/service.js';
import { loadConfig } from '../home.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { planListen } from '../web/listen.js';
import { startStationPage, type StationPage } from '../web/server.js';
import { globalOptions } from './context.js';
import { assertStationIdMatchesKey } from './station-check.js';

/** Serve the station page; a port taken by something else costs the page, never the ingest. */
async function servePage(daemon: Daemon, plan: ReturnType<typeof planListen>): Promise<StationPage | undefined> {
  const { config, home } = daemon;
  try {
    const page = await startStationPage(
      {
        config,
        home,
        db: daemon.catalog,
        logger: daemon.logger.child({ room: 'web' }),
        originals: openConfiguredOriginals(config, home, daemon.catalog),
        pid: process.pid,
        startedAt: daemon.startedAtIso,
        slotStatuses: () => daemon.slotStatuses(),
        onSlotsChanged: (listener) => daemon.onSlotsChanged(listener),
      },
      plan,
    );
    daemon.setWebUrl(page.url);
    daemon.logger.info({ url: page.url }, 'station page listening');
    return page;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    daemon.addWarning(`station page not served: cannot listen on ${plan.host}:${plan.port} (${why}); ingest goes on. Free the port or change [web] listen`);
    return undefined;
  }
}

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run the service: watch the docks, ingest every recorder docked (JSON logs on stdout), serve the station page')
    .action(async (_opts, cmd: Command) => {
      // The stop signals are caught before anything starts. Without a listener Node ends the
      // process by the signal itself (no exit 0, nothing said): a SIGTERM sent the moment
      // "evidock daemon ready" is read, or during the start, used to kill the daemon that way.
      // A signal during the start is kept and honoured once the start is complete; later ones
      // while stopping are only logged, so one stop always ends with exit 0 and "stopped".
      let requested: NodeJS.Signals | undefined;
      let daemon: Daemon | undefined;
      let onStop: ((signal: NodeJS.Signals) => void) | undefined;
      const stop = (signal: NodeJS.Signals) => {
        if (requested) {
          daemon?.logger.warn({ signal }, 'already stopping: the stop in hand finishes (SIGKILL ends the process at once; nothing committed is lost)');
          return;
        }
        requested = signal;
        onStop?.(signal);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      let page: StationPage | undefined;
      try {
        const { config, home } = loadConfig(globalOptions(cmd));
        assertStationIdMatchesKey(config, home);
        // A non-loopback address without TLS files is refused here, before anything starts (exit 2).
        const plan = config.web.enabled ? planListen(config.web, home.dir) : undefined;
        daemon = new Daemon(globalOptions(cmd));
        await daemon.start();
        page = plan ? await servePage(daemon, plan) : undefined;
      } catch (err) {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        throw err;
      }
      const started = daemon;
      await new Promise<void>((resolve) => {
        onStop = (signal) => {
          const closed = page ? page.close() : Promise.resolve();
          closed
            .then(() => started.stop(signal))
            .then(resolve, (err) => {
              started.logger.error({ err }, 'error while stopping');
              resolve();
            });
        };
        if (requested) onStop(requested);
      });
    });
}
