// The dock kiosk: tiles from /events (server-sent events), zh-CN by default with an English
// switch. Reconnects by itself when the daemon restarts. Plain JS, no build step.
'use strict';

const TEXT = {
  'zh-CN': {
    title: '采集站', switchTo: 'English', live: '已连接', connecting: '正在连接…', lost: '连接中断，正在重新连接…',
    empty: '空闲', identifying: '正在识别…', copying: '正在复制', verifying: '正在校验', done: '可以取走', error: '出错',
    file: (k, n) => `文件 ${k} / ${n}`, eta: (t) => `还需约 ${t}`, sec: (s) => `${s} 秒`, min: (m) => `${m} 分钟`,
    held: (h) => `已保存 ${h} 个文件`, failed: (f) => `${f} 个失败`, noOfficer: '未登记民警',
    todo: '请重新插入记录仪；再次失败请联系管理员', none: '未配置槽位：插入记录仪后显示',
  },
  en: {
    title: 'docking station', switchTo: '中文', live: 'live', connecting: 'connecting…', lost: 'connection lost, reconnecting…',
    empty: 'empty', identifying: 'identifying…', copying: 'copying', verifying: 'verifying', done: 'safe to remove', error: 'error',
    file: (k, n) => `file ${k} of ${n}`, eta: (t) => `about ${t} left`, sec: (s) => `${s} s`, min: (m) => `${m} min`,
    held: (h) => `${h} file(s) held`, failed: (f) => `${f} failed`, noOfficer: 'officer not registered',
    todo: 'Dock the recorder again; if it fails again, call the administrator', none: 'no slots configured: tiles appear when a recorder is docked',
  },
};

const params = new URLSearchParams(location.search);
let lang = params.get('lang') === 'en' || (params.get('lang') === null && localStorage.getItem('evidock.lang') === 'en') ? 'en' : 'zh-CN';
let last = { station: '', tiles: [] };
let linkState = 'connecting';
/** slot -> the tile element last built for it and the data it shows. */
const built = new Map();
let shownOrder = '';
let laidOut = '';

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function etaText(t, s) {
  return s < 60 ? t.sec(Math.max(1, Math.round(s))) : t.min(Math.ceil(s / 60));
}

/** A copy's progress in whole percent. */
function percentOf(s) {
  return s.bytesTotal ? Math.min(100, Math.round((100 * (s.bytesDone ?? 0)) / s.bytesTotal)) : 0;
}

/** The time left, once the rate means something (the first moments of a copy give none); else ''. */
function etaLine(s, t) {
  return s.etaSeconds !== null && s.etaSeconds !== undefined && percentOf(s) >= 2 && s.etaSeconds < 86400 ? t.eta(etaText(t, s.etaSeconds)) : '';
}

function tileOf(s, t) {
  const tile = el('article', 'tile');
  tile.dataset.slot = s.slot;
  tile.dataset.state = s.state;
  tile.append(el('p', 'slot', s.slot), el('p', 'state', t[s.state] ?? s.state));
  if (s.state !== 'empty') {
    const who = s.officer ? `${s.officer.number} ${s.officer.name ?? ''}`.trim() : s.recorder ? `${s.recorder} · ${t.noOfficer}` : '';
    if (who) tile.append(el('p', 'who', who));
  }
  if ((s.state === 'copying' || s.state === 'verifying') && s.fileCount) tile.append(el('p', 'detail', t.file(s.fileIndex ?? 0, s.fileCount)));
  if (s.state === 'copying') {
    const bar = el('div', 'bar');
    bar.setAttribute('role', 'progressbar');
    const pct = percentOf(s);
    bar.setAttribute('aria-valuenow', String(pct));
    const fill = el('div', 'fill');
    fill.style.width = `${pct}%`;
    bar.append(fill);
    tile.append(bar);
    const eta = etaLine(s, t);
    if (eta) tile.append(el('p', 'eta', eta));
  }
  if (s.state === 'done') tile.append(el('p', 'detail', [t.held(s.held ?? 0), s.failed ? t.failed(s.failed) : ''].filter(Boolean).join(' · ')));
  if (s.state === 'error') {
    if (s.held || s.failed) tile.append(el('p', 'detail', [t.held(s.held ?? 0), s.failed ? t.failed(s.failed) : ''].filter(Boolean).join(' · ')));
    tile.append(el('p', 'todo', t.todo));
    if (s.message) tile.append(el('p', 'msg', s.message));
  }
  return tile;
}

/** Moves a copying tile's bar and time left to `s`; false when the tile must be rebuilt instead. */
function progressInPlace(tile, s, t) {
  const eta = tile.querySelector('.eta');
  const etaNow = etaLine(s, t);
  const fill = tile.querySelector('.bar .fill');
  if (!fill || !eta !== !etaNow) return false;
  const bar = fill.parentElement;
  const pct = String(percentOf(s));
  if (bar.getAttribute('aria-valuenow') !== pct) {
    bar.setAttribute('aria-valuenow', pct);
    fill.style.width = `${pct}%`;
  }
  if (eta && eta.textContent !== etaNow) eta.textContent = etaNow;
  return true;
}

/** Columns and rows that make the tiles as large as the screen allows. */
function layout(main, n) {
  const w = main.clientWidth || innerWidth;
  const h = main.clientHeight || innerHeight - 60;
  let best = { cols: 1, rows: 1, size: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(Math.max(1, n) / cols);
    const size = Math.min(w / cols, h / rows);
    if (size > best.size) best = { cols, rows, size };
  }
  main.style.setProperty('--cols', String(best.cols));
  main.style.setProperty('--rows', String(best.rows));
}

function render() {
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  document.title = `${last.station || 'evidock'} · ${t.title}`;
  document.getElementById('station').textContent = `${last.station || 'evidock'} ${t.title}`;
  const button = document.getElementById('lang');
  button.textContent = t.switchTo;
  button.lang = lang === 'en' ? 'zh-CN' : 'en';
  const link = document.getElementById('link');
  link.dataset.state = linkState;
  link.textContent = t[linkState];
  const main = document.getElementById('tiles');
  main.classList.toggle('stale', linkState !== 'live');
  // reading the page's size forces a layout: only when the number of tiles or the window changed
  const shape = `${last.tiles.length}|${innerWidth}x${innerHeight}`;
  if (shape !== laidOut) {
    layout(main, last.tiles.length);
    laidOut = shape;
  }
  if (!last.tiles.length) {
    shownOrder = '';
    return main.replaceChildren(el('p', 'none', t.none));
  }
  // Only tiles whose slot changed are rebuilt, and a copy's progress alone only moves its bar and
  // time left: the screen beside the docks shares the station's CPU.
  const next = last.tiles.map((s) => {
    const key = `${lang}|${JSON.stringify(s)}`;
    const had = built.get(s.slot);
    if (had && had.key === key) return had.tile;
    const rest = `${lang}|${JSON.stringify({ ...s, bytesDone: 0, etaSeconds: 0 })}`;
    if (had && had.rest === rest && s.state === 'copying' && progressInPlace(had.tile, s, t)) {
      had.key = key;
      return had.tile;
    }
    const tile = tileOf(s, t);
    built.set(s.slot, { key, rest, tile });
    return tile;
  });
  const order = last.tiles.map((s) => s.slot).join('\n');
  if (order === shownOrder && main.children.length === next.length) {
    next.forEach((tile, i) => {
      if (main.children[i] !== tile) main.children[i].replaceWith(tile);
    });
  } else main.replaceChildren(...next);
  shownOrder = order;
}

function connect() {
  const source = new EventSource('/events');
  source.addEventListener('tiles', (e) => {
    last = JSON.parse(e.data);
    linkState = 'live';
    render();
  });
  source.onerror = () => {
    linkState = 'lost';
    render();
    // The browser retries by itself unless the stream was refused; then start a new one.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  };
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem('evidock.lang', lang);
  render();
});
addEventListener('resize', render);
render();
connect();
