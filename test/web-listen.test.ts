// [web] listen: loopback addresses need nothing more; any other address needs readable TLS files;
// a malformed address or port names the setting; $EVIDOCK_WEB_LISTEN wins over the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';
import { planListen } from '../src/web/listen.js';
import { tempDir } from './helpers/evidock.js';

const web = (w: Record<string, unknown>) => parseConfig({ web: w }).web;

describe('planListen', () => {
  const tmp = tempDir('evidock-web-listen-');
  afterAll(() => tmp.cleanup());

  it('the default is 127.0.0.1:8420 over plain HTTP', () => {
    expect(planListen(parseConfig({}).web, tmp.dir, {})).toEqual({ host: '127.0.0.1', port: 8420 });
  });

  it.each([
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['127.1.2.3:9000', '127.1.2.3', 9000],
    ['[::1]:8420', '::1', 8420],
    ['localhost:8420', 'localhost', 8420],
  ])('%s is loopback: no TLS needed', (listen, host, port) => {
    expect(planListen(web({ listen }), tmp.dir, {})).toEqual({ host, port });
  });

  it.each(['0.0.0.0:8443', '192.168.1.20:8443', '[::]:8443', 'station.local:8443'])('%s without tls_cert/tls_key: refused, naming the settings', (listen) => {
    expect(() => planListen(web({ listen }), tmp.dir, {})).toThrow(ConfigError);
    expect(() => planListen(web({ listen }), tmp.dir, {})).toThrow(/is not a loopback address.*web\.tls_cert and web\.tls_key/);
  });

  it('off loopback with readable PEM files (relative to the home): served over TLS', () => {
    mkdirSync(path.join(tmp.dir, 'tls'), { recursive: true });
    writeFileSync(path.join(tmp.dir, 'tls', 'a.crt'), 'CERT');
    writeFileSync(path.join(tmp.dir, 'tls', 'a.key'), 'KEY');
    const plan = planListen(web({ listen: '0.0.0.0:8443', tls_cert: 'tls/a.crt', tls_key: 'tls/a.key' }), tmp.dir, {});
    expect(plan).toMatchObject({ host: '0.0.0.0', port: 8443 });
    expect(plan.tls?.cert.toString()).toBe('CERT');
    expect(plan.tls?.key.toString()).toBe('KEY');
  });

  it('a port above 65535 or a bad address in the file is a configuration error naming web.listen', () => {
    expect(() => planListen(web({ listen: '127.0.0.1:70000' }), tmp.dir, {})).toThrow(/web\.listen = "127\.0\.0\.1:70000": give host:port/);
    expect(() => web({ listen: '8420' })).toThrow(/web\.listen/);
  });

  it('$EVIDOCK_WEB_LISTEN overrides the file and is checked the same way, naming itself', () => {
    expect(planListen(parseConfig({}).web, tmp.dir, { EVIDOCK_WEB_LISTEN: '127.0.0.1:0' })).toEqual({ host: '127.0.0.1', port: 0 });
    expect(() => planListen(parseConfig({}).web, tmp.dir, { EVIDOCK_WEB_LISTEN: '10.1.1.1:80' })).toThrow(/\$EVIDOCK_WEB_LISTEN = "10\.1\.1\.1:80" is not a loopback address/);
    expect(() => planListen(parseConfig({}).web, tmp.dir, { EVIDOCK_WEB_LISTEN: 'nonsense' })).toThrow(/\$EVIDOCK_WEB_LISTEN = "nonsense"/);
  });
});
