#!/usr/bin/env node
/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): self time by function (+ file:line), by coarse layer of the
 * gateway (logging, HTTP, Koa, queue, …) and by package/file.
 *
 *   node bench/profile-summary.mjs FILE.cpuprofile [--top 30] [--from-ms A --to-ms B] [--from-us X --to-us Y]
 *
 * --from-ms/--to-ms: a window relative to the profile start. --from-us/--to-us: an absolute window on the
 * monotonic clock the profile uses (what bench/run.mjs records as `profileWindowUs` for each test).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where a frame comes from: a package, node itself, a file of ours, or a V8 pseudo-frame. */
export function categoryOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

/** Coarse layers of the gateway, so the big picture is one screen: [layer, test on category and function]. */
const LAYERS = [
  ['logging (pino)', (c, f) => /^npm:(pino|@pinojs\/.*|sonic-boom|fast-redact|thread-stream|on-exit-leak-free|quick-format-unescaped|safe-stable-stringify)$/.test(c) || (c === '(native)' && f === 'writeString')],
  ['socket writes (native)', (c, f) => c === '(native)' && /^(writev|write(Latin1|Utf8|Ascii|Ucs2)String)$/.test(f)],
  ['durable store (+ its write/fdatasync calls)', (c, f) => c.startsWith('src/durable/') || (c === '(native)' && /^(writeBuffer|writeBuffers|fdatasync|fsync)$/.test(f))],
  ['node http + streams', (c) => /^node:(_http_|net|internal\/stream|internal\/streams|stream|internal\/http|internal\/url|url)/.test(c)],
  ['koa + router', (c) => /^npm:(koa|koa-compose|delegates|@koa\/router|koa-.*|path-to-regexp|statuses|mime-types|mime-db|content-type|type-is|media-typer|vary|encodeurl|escape-html|on-finished|http-errors|depd|cookies|accepts|negotiator|fresh|content-disposition|destroy|ee-first|only|http-assert)$/.test(c)],
  ['queue (p-queue, AbortController, timers)', (c) => /^npm:(p-queue|p-timeout|eventemitter3)$/.test(c) || /^node:(internal\/abort_controller|internal\/event_target|timers|internal\/timers)$/.test(c)],
  ['crypto (token hash, UUIDs)', (c) => /^node:internal\/crypto/.test(c)],
  ['scimbridge core (src/)', (c) => c.startsWith('src/')],
  ['connector (connectors/)', (c) => c.startsWith('connectors/')],
  ['LDAP client (ldapts: BER, messages)', (c) => /^npm:(ldapts|strict-event-emitter-types)$/.test(c)],
  ['validation (zod)', (c) => c === 'npm:zod'],
  ['GC', (c) => c === '(garbage collector)'],
  ['fs / other native', (c) => c === '(native)' || /^node:(fs|internal\/fs)/.test(c)],
  ['promises, ticks, V8 (program)', (c, f) => c === '(program)' || /^node:internal\/process/.test(c) || f === 'runMicrotasks' || c === '(anonymous)'],
];

function layerOf(category, functionName) {
  for (const [name, test] of LAYERS) if (test(category, functionName)) return name;
  return category.startsWith('node:') ? 'other node internals' : category.startsWith('npm:') ? 'other packages' : 'other';
}

function shortUrl(url) {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

/**
 * Self time per function and per category within [fromUs, toUs] (absolute profile timestamps; defaults:
 * the whole profile). Times in ms.
 */
export function summarize(profile, { fromUs = -Infinity, toUs = Infinity } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFn = new Map();
  const byCat = new Map();
  const byLayer = new Map();
  let total = 0;
  let t = profile.startTime;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i];
    const next = i + 1 < samples.length ? t + timeDeltas[i + 1] : profile.endTime;
    if (t < fromUs || t >= toUs) continue;
    const dt = Math.max(0, next - t) / 1000;
    const node = nodes.get(samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : name;
    byFn.set(key, (byFn.get(key) ?? 0) + dt);
    const cat = categoryOf(url, name);
    byCat.set(cat, (byCat.get(cat) ?? 0) + dt);
    if (name !== '(idle)') {
      const layer = layerOf(cat, name);
      byLayer.set(layer, (byLayer.get(layer) ?? 0) + dt);
    }
    total += dt;
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([key, ms]) => ({ key, ms }));
  const idle = byFn.get('(idle)') ?? 0;
  return { totalMs: total, idleMs: idle, functions: sorted(byFn), categories: sorted(byCat), layers: sorted(byLayer) };
}

/** Text report: top functions and top categories, % of busy (non-idle) time. */
export function formatSummary(s, top = 30) {
  const busy = s.totalMs - s.idleMs;
  const pct = (ms) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`;
  const lines = [`sampled ${(s.totalMs / 1000).toFixed(2)} s, busy ${(busy / 1000).toFixed(2)} s (idle ${((100 * s.idleMs) / s.totalMs).toFixed(1)}%); % of busy time`];
  lines.push('', `top ${top} functions by self time:`);
  for (const f of s.functions.filter((f) => f.key !== '(idle)').slice(0, top)) lines.push(`  ${pct(f.ms)} ${f.ms.toFixed(0).padStart(7)} ms  ${f.key}`);
  lines.push('', 'self time by layer:');
  for (const l of s.layers) lines.push(`  ${pct(l.ms)} ${l.ms.toFixed(0).padStart(7)} ms  ${l.key}`);
  lines.push('', 'self time by package / file:');
  for (const c of s.categories.filter((c) => c.key !== '(idle)').slice(0, top)) lines.push(`  ${pct(c.ms)} ${c.ms.toFixed(0).padStart(7)} ms  ${c.key}`);
  return lines.join('\n');
}

export function readProfile(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const top = flag('--top') ?? 30;
  const fromMs = flag('--from-ms');
  const toMs = flag('--to-ms');
  const fromUs = flag('--from-us');
  const toUs = flag('--to-us');
  if (args.length === 0) {
    process.stderr.write('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--from-ms A --to-ms B] [--from-us X --to-us Y]\n');
    process.exit(2);
  }
  for (const file of args) {
    const p = readProfile(file);
    const window = {
      fromUs: fromUs ?? (fromMs !== undefined ? p.startTime + fromMs * 1000 : -Infinity),
      toUs: toUs ?? (toMs !== undefined ? p.startTime + toMs * 1000 : Infinity),
    };
    process.stdout.write(`${file}\n${formatSummary(summarize(p, window), top)}\n\n`);
  }
}
