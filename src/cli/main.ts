// The evidock command line: one file per command group, each registering its commands here.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { CliError, EXIT_USAGE } from './context.js';
import { registerDaemon } from './daemon.js';
import { registerDocks } from './docks.js';
import { registerCatalog } from './catalog.js';
import { registerIngest } from './ingest.js';
import { registerKey } from './key.js';
import { registerNotary } from './notary.js';
import { registerLog } from './log.js';
import { registerStatus } from './status.js';
import { registerVerify } from './verify.js';
import { registerAssign } from './assign.js';
import { registerList } from './list.js';
import { registerOfficers } from './officers.js';
import { registerRecorders } from './recorders.js';
import { registerShow } from './show.js';
import { registerProves } from './proves.js';
import { registerCalendar } from './calendar.js';
import { registerGaps } from './gaps.js';
import { registerReport } from './report.js';
import { registerTrips } from './trips.js';
import { registerCase } from './case.js';
import { registerApprovers } from './case-approvers.js';
import { registerCopy } from './copy.js';
import { registerHold } from './hold.js';
import { registerDisc } from './disc.js';
import { registerWeb } from './web.js';

/** The version in package.json (dist/cli/main.js sits two folders below it). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * A reader that closed our stdout (`evidock log export --format jsonl | head -1`) wants no more:
 * end the command quietly with exit 0 instead of an EPIPE stack trace.
 */
function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export function buildProgram(): Command {
  const program = new Command('evidock')
    .description('Evidence ingest for body-worn-recorder docking stations: copy, hash, verify, hold write-once, log.')
    .version(packageVersion(), '-V, --version', 'print the evidock version')
    .option('--home <dir>', 'state directory (default: $EVIDOCK_HOME, else ./var)')
    .option('--config <file>', 'configuration file (default: <home>/evidock.toml when present)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDaemon(program);
  registerIngest(program);
  registerStatus(program);
  registerDocks(program);
  registerVerify(program);
  registerLog(program);
  registerKey(program);
  registerNotary(program);
  registerCatalog(program);
  registerCalendar(program);
  registerTrips(program);
  registerGaps(program);
  registerReport(program);
  registerRecorders(program);
  registerOfficers(program);
  registerAssign(program);
  registerShow(program);
  registerProves(program);
  registerList(program);
  registerCase(program);
  registerApprovers(program);
  registerCopy(program);
  registerHold(program);
  registerDisc(program);
  registerWeb(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export { finishProcess } from './finish.js';

/** Run the CLI; returns the exit code (0 ok, 1 a check found a problem, 2 usage or configuration). */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  endQuietlyWhenStdoutCloses();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`evidock: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`evidock: ${err.message}\n`);
      return err.exitCode;
    }
    const code = (err as { exitCode?: number }).exitCode;
    process.stderr.write(`evidock: ${(err as Error).message ?? err}\n`);
    return typeof code === 'number' ? code : 1;
  }
}
