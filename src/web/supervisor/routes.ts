// /supervisor/*: authenticate (401 and a "web.refused" audit entry without a valid token), build
// the page, log the view with the authenticated name, answer. Read-only apart from that entry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { reply, replyHtml, readForm, requestUrl } from '../http-reply.js';
import { nameOfWebToken } from '../../store/web-tokens.js';
import { TOKEN_COOKIE, authenticate, logWebRead, logWebRefused } from './access.js';
import { esc, page, signInPage } from './layout.js';
import { compliance, inclusionProof, lateRecordings, overdueCases, recording, todaysDockings, unexplainedGaps, type PageEnv, type PageResult } from './pages.js';

const PAGES: Record<string, (env: PageEnv) => PageResult> = {
  '/supervisor': todaysDockings,
  '/supervisor/late': lateRecordings,
  '/supervisor/gaps': unexplainedGaps,
  '/supervisor/cases': overdueCases,
  '/supervisor/compliance': compliance,
};

const RECORDING = /^\/supervisor\/recording\/([^/]+)(\/proof\.json)?$/;

function refuse(res: ServerResponse, status: 401 | 403, message: string): void {
  replyHtml(res, status, signInPage(message), status === 401 ? { 'www-authenticate': 'Bearer realm="evidock supervisor"' } : {});
}

/** POST /supervisor/login: a valid token becomes a cookie for this browser session. */
async function signIn(req: IncomingMessage, res: ServerResponse, env: Omit<PageEnv, 'query'>, secure: boolean): Promise<void> {
  let token = '';
  try {
    token = (await readForm(req)).get('token')?.trim() ?? '';
  } catch {
    /* too large: refused below */
  }
  const name = token ? nameOfWebToken(env.home.dir, token) : undefined;
  if (!name) {
    logWebRefused(env.db, req, token ? 'unknown token' : 'no token');
    return refuse(res, 401, '令牌无效 That token is not valid.');
  }
  logWebRead(env.db, req, name, 'sign-in');
  const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/supervisor; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  reply(res, 303, 'text/plain; charset=utf-8', 'signed in\n', { location: '/supervisor', 'set-cookie': cookie });
}

export async function handleSupervisor(req: IncomingMessage, res: ServerResponse, base: Omit<PageEnv, 'query'>, logger: Logger, secure: boolean): Promise<void> {
  const url = requestUrl(req);
  if (req.method === 'POST' && url.pathname === '/supervisor/login') return signIn(req, res, base, secure);
  if (req.method !== 'GET') return reply(res, 405, 'text/plain; charset=utf-8', 'read-only: GET only\n', { allow: 'GET' });
  const who = authenticate(req, base.home.dir);
  if ('refused' in who) {
    logWebRefused(base.db, req, who.refused);
    return refuse(res, 401, who.refused === 'no token' ? '请先登录 Sign in with your token.' : '令牌无效 That token is not valid.');
  }
  const env: PageEnv = { ...base, query: url.searchParams };
  const build = PAGES[url.pathname.replace(/\/$/, '') || '/supervisor'];
  const rec = RECORDING.exec(url.pathname);
  try {
    if (build) {
      const p = build(env);
      logWebRead(base.db, req, who.name, String(p.audit.page), p.audit);
      return replyHtml(res, 200, page(p.title, who.name, p.body));
    }
    if (rec) {
      const evidenceNumber = decodeURIComponent(rec[1]);
      if (rec[2]) {
        const proof = inclusionProof(env, evidenceNumber);
        logWebRead(base.db, req, who.name, 'proof', proof.audit);
        const file = `${evidenceNumber.replace(/[^A-Za-z0-9._-]/g, '_')}.proof.json`;
        return reply(res, 200, 'application/json; charset=utf-8', proof.json, { 'content-disposition': `attachment; filename="${file}"` });
      }
      const p = recording(env, evidenceNumber);
      if (p) {
        logWebRead(base.db, req, who.name, 'recording', p.audit);
        return replyHtml(res, 200, page(p.title, who.name, p.body));
      }
    }
    logWebRead(base.db, req, who.name, 'not-found');
    replyHtml(res, 404, page('没有这个页面 Not found', who.name, `<p>${esc(url.pathname)}</p>`));
  } catch (err) {
    logger.error({ err, path: url.pathname }, 'supervisor page failed');
    replyHtml(res, 500, page('出错了 Something failed', who.name, `<p>${esc((err as Error).message)}</p>`));
  }
}
