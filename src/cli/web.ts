// evidock web token add|list: supervisor tokens for the station page. A token is printed once;
// only its SHA-256 is kept (<home>/web-tokens.json, 0600). Adding one is an audit entry.
import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { addWebToken, readWebTokens, WebTokenError, webTokensFile } from '../store/web-tokens.js';
import { CliError, openCli, printJson, table } from './context.js';

export function registerWeb(program: Command): void {
  const web = program.command('web').description('the station page (dock kiosk, supervisor view): supervisor tokens');
  const token = web.command('token').description('tokens that open /supervisor (stored hashed)');

  token
    .command('add')
    .description('make a token for a supervisor and print it once (send it as "Authorization: Bearer <token>" or sign in with it)')
    .argument('<name>', 'who the token is for: every page they view is logged under this name')
    .option('--json', 'print as JSON')
    .action((name: string, opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        let made;
        try {
          made = addWebToken(cli.home.dir, name, cli.actor.user);
        } catch (err) {
          if (err instanceof WebTokenError) throw new CliError(err.message);
          throw err;
        }
        cli.db.transaction(() => appendAuditEntry(cli.db, { type: 'web.token-added', data: { name, sha256: made.record.sha256 }, actor: cli.actor }))();
        if (opts.json) return printJson({ name, token: made.token, file: webTokensFile(cli.home.dir) });
        process.stdout.write(`${made.token}\n`);
        process.stderr.write(`token for ${name}: shown this once; only its hash is kept in ${webTokensFile(cli.home.dir)}\n`);
      } finally {
        cli.close();
      }
    });

  token
    .command('list')
    .description('the names tokens were made for (never the tokens)')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd, { readOnlyOk: true });
      try {
        const rows = readWebTokens(cli.home.dir).map((t) => ({ name: t.name, createdAt: t.createdAt, createdBy: t.createdBy }));
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no tokens: make one with `evidock web token add <name>`\n');
        process.stdout.write(table(['name', 'created', 'by'], rows.map((r) => [r.name, r.createdAt, r.createdBy])));
      } finally {
        cli.close();
      }
    });
}
