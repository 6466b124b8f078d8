// Where the station page listens: [web] listen (or $EVIDOCK_WEB_LISTEN) checked once at start.
// Loopback needs nothing more; any other address needs readable TLS certificate and key files.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';

export interface ListenPlan {
  host: string;
  port: number;
  /** PEM certificate and key, when the address is not loopback. */
  tls?: { cert: Buffer; key: Buffer };
}

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function readPem(setting: string, file: string, homeDir: string): Buffer {
  const full = path.resolve(homeDir, file);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new ConfigError(`web.${setting}: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The checked address, or a ConfigError naming the setting (the daemon then exits 2). */
export function planListen(web: Config['web'], homeDir: string, env: NodeJS.ProcessEnv = process.env): ListenPlan {
  const fromEnv = env.EVIDOCK_WEB_LISTEN?.trim();
  const setting = fromEnv ? '$EVIDOCK_WEB_LISTEN' : 'web.listen';
  const text = fromEnv || web.listen;
  const m = ADDRESS.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`${setting} = ${JSON.stringify(text)}: give host:port, like "127.0.0.1:8420" or "[::1]:8420"`);
  const host = m[1] ?? m[2];
  if (isLoopback(host)) return { host, port };
  if (!web.tls_cert || !web.tls_key)
    throw new ConfigError(
      `${setting} = ${JSON.stringify(text)} is not a loopback address: the station page is only served there over TLS. ` +
        'Set web.tls_cert and web.tls_key to PEM files, or listen on 127.0.0.1 and put a reverse proxy in front (README: station page).',
    );
  return { host, port, tls: { cert: readPem('tls_cert', web.tls_cert, homeDir), key: readPem('tls_key', web.tls_key, homeDir) } };
}
