// ~2,000 seeded requests, valid and malformed, at a private berthd (requests.ts makes them), then
// what must hold: no 500 whose message is a JavaScript error, no request unanswered for 10 s, the
// listings still work, no object appeared without a 2xx, and once the fuzzer's objects are removed
// no mount, temporary file, layer or runtime state is left over and berthd's descriptors are back
// to within 3 of where they started. A compact summary of failures by route and kind is printed.
// BERTH_FUZZ_SEED and BERTH_FUZZ_REQUESTS change the run.
import assert from 'node:assert/strict';
import http from 'node:http';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { freeThirdOctet, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { containerRecordsOnDisk, describeLeftovers, fdCount, fdTargets, findLeftovers, isEmpty, knownContainers, type Leftovers } from '../../helpers/leftovers.ts';
import { Rng, nextRequest, type FuzzRequest, type Pools } from './requests.ts';

const seed = Number(process.env.BERTH_FUZZ_SEED ?? 16_004);
const total = Number(process.env.BERTH_FUZZ_REQUESTS ?? 2000);
const hangMs = 10_000;
/** A file to log every request and its answer to, for reading a run closely. */
const traceFile = process.env.BERTH_FUZZ_TRACE;

/** Messages of JavaScript's and Node's own errors: a handler met input it did not expect. */
const jsError =
  /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|is not a function|is not iterable|is not defined|Cannot (read|set) propert|Cannot convert|Cannot create property|Maximum call stack|Invalid (array|string|typed array) length|\bundefined\b|\[object Object\]|\bNaN\b|Unexpected (token|end of JSON)|\bERR_[A-Z_]+|^E[A-Z]{2,}: |The "[^"]+" (argument|property)|Invalid URL|circular structure|BigInt|Cannot use '[^']+' operator|Cannot access '[^']+' before/;

interface Answer {
  status: number;
  /** The error message of a JSON error answer. */
  message?: string;
  body: string;
  /** No status line within the limit. */
  hung?: boolean;
  /** The connection closed without a status line. */
  noAnswer?: string;
}

/** Streaming answers still open, each closed by the client after its request's holdMs. */
const open = new Set<Promise<void>>();

/**
 * How long a stop or restart may rightly wait for the process before its SIGKILL: `t` seconds, or
 * the container's stop timeout (dockerd's default, 10 s) without one. A hang is beyond that.
 */
function stopWaitMs(path: string): number {
  const m = /^\/(?:v[\d.]+\/)?containers\/[^/]+\/(?:stop|restart)(?:\?(.*))?$/.exec(path);
  if (!m) return 0;
  const t = Number(new URLSearchParams(m[1] ?? '').get('t') ?? 'NaN');
  return Number.isInteger(t) && t >= 0 && t <= 60 ? t * 1000 : 10_000;
}

/**
 * One request on its own connection, bounded. A streaming answer counts once its head is in; the
 * connection then stays open in the background for the request's holdMs.
 */
function send(socket: string, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(a);
    };
    let payload: Buffer | undefined;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body && 'json' in req.body) {
      payload = Buffer.from(JSON.stringify(req.body.json) ?? 'null');
      headers['Content-Type'] = 'application/json';
    } else if (req.body) {
      payload = Buffer.from(req.body.raw);
      if (req.body.contentType !== '') headers['Content-Type'] = req.body.contentType ?? 'application/json';
    }
    if (payload) headers['Content-Length'] = String(payload.length);
    const r = http.request({ socketPath: socket, method: req.method, path: req.path, headers, agent: false });
    const timer = setTimeout(() => {
      r.destroy();
      done({ status: 0, body: '', hung: true });
    }, hangMs + stopWaitMs(req.path));
    const hold = (close: () => void) => {
      const closed = new Promise<void>((res) => setTimeout(() => res(close()), req.holdMs));
      open.add(closed);
      void closed.then(() => open.delete(closed));
    };
    r.on('upgrade', (res, sock) => {
      // a hijacked stream: send a little stdin, then go away as a client would
      sock.on('error', () => {});
      sock.resume();
      if (payload === undefined) sock.write('fuzz\n');
      hold(() => sock.destroy());
      done({ status: res.statusCode ?? 101, body: '' });
    });
    r.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      const finish = () => {
        let message: string | undefined;
        if (status >= 400) {
          try {
            message = (JSON.parse(body) as { message?: string }).message;
          } catch {
            message = undefined;
          }
        }
        done({ status, body, ...(message !== undefined ? { message } : {}) });
      };
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
      if (req.streaming && status < 300) {
        hold(() => r.destroy());
        done({ status, body: '' });
      }
    });
    r.on('error', (err) => done({ status: 0, body: '', noAnswer: err.message }));
    r.end(payload);
  });
}

let d: TestDaemon;
const failures: Array<{ route: string; kind: string; detail: string }> = [];
const fail = (route: string, kind: string, detail: string) => failures.push({ route, kind, detail });

/** The test's own requests: each on its own connection, so none lingers in berthd's descriptor count. */
async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; value: T }> {
  const r = await send(d.socket, { route: 'test', method, path, body: body === undefined ? undefined : { json: body }, headers: {}, streaming: false, holdMs: 0, creates: [] });
  let value: T;
  try {
    value = JSON.parse(r.body) as T;
  } catch {
    value = undefined as T;
  }
  return { status: r.status, value };
}

/** The names and ids a kind's listing shows, or undefined when the listing fails. */
async function listing(kind: FuzzRequest['creates'][number]): Promise<Set<string> | undefined> {
  const path = { containers: '/containers/json?all=1', images: '/images/json?all=1', networks: '/networks', volumes: '/volumes' }[kind];
  const r = await api<unknown>('GET', path).catch(() => undefined);
  if (!r || r.status !== 200) return undefined;
  const items = (kind === 'volumes' ? (r.value as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [] : (r.value as Array<Record<string, unknown>>)) as Array<Record<string, unknown>>;
  const out = new Set<string>();
  for (const i of items) {
    for (const k of ['Id', 'Name']) if (typeof i[k] === 'string') out.add(i[k] as string);
    for (const t of (i.RepoTags as string[] | null | undefined) ?? []) out.add(`tag ${t}`);
  }
  return out;
}

const listingRoutes = ['/containers/json?all=1', '/images/json?all=1', '/networks', '/volumes', '/info', '/system/df', '/images/json', '/containers/json'];

async function checkListings(when: string): Promise<string[]> {
  const broken: string[] = [];
  for (const path of listingRoutes) {
    const r = await send(d.socket, { route: 'test', method: 'GET', path, body: undefined, headers: {}, streaming: false, holdMs: 0, creates: [] });
    if (r.status !== 200) broken.push(`${path} → ${r.hung ? 'no answer in 10 s' : r.status} ${r.body.trim().slice(0, 200)} (${when})`);
  }
  return broken;
}

/**
 * What is left over, next to what berthd lists; when its listing is broken, next to the records on
 * disk (config.v2.json) so the other checks still run.
 */
async function leftovers(): Promise<Leftovers> {
  const list = await api<Array<{ Id: string }>>('GET', '/containers/json?all=1');
  if (list.status !== 200 || !Array.isArray(list.value)) return findLeftovers(d, knownContainers(containerRecordsOnDisk(d.dataRoot)));
  const inspected = [];
  for (const c of list.value) {
    const i = await api<Parameters<typeof knownContainers>[0][number]>('GET', `/containers/${c.Id}/json`);
    if (i.status === 200) inspected.push(i.value);
  }
  return findLeftovers(d, knownContainers(inspected));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

it(`fuzz: ${total} seeded requests (seed ${seed}) leave berthd answering, consistent and clean`, { timeout: 60 * 60_000 }, async () => {
  const pools: Pools = {
    containers: [],
    execs: [],
    images: ['busybox', 'busybox:latest', 'fz-img:1'],
    networks: ['bridge', 'none', 'host'],
    volumes: ['fz-vol'],
    bindDir: join(d.base, 'binds'),
    subnetPrefix: `10.214.${freeThirdOctet('10.214')}`,
  };
  mkdirSync(pools.bindDir, { recursive: true });
  // warm up what the first uses of a route open once for good, then take the baseline
  d.berthOk(['run', '--rm', 'busybox', 'true']);
  d.berthOk(['network', 'create', '--subnet', `${pools.subnetPrefix}.240/28`, 'fz-warm']);
  d.berthOk(['run', '--rm', '--network', 'fz-warm', '-p', '127.0.0.1::80', 'busybox', 'true']);
  d.berthOk(['network', 'rm', 'fz-warm']);
  await sleep(500);
  const fdsBefore = fdCount(d.process.pid!);
  const fdListBefore = fdTargets(d.process.pid!);

  d.berthOk(['tag', 'busybox', 'fz-img:1']);
  d.berthOk(['volume', 'create', 'fz-vol']);
  d.berthOk(['network', 'create', '--subnet', `${pools.subnetPrefix}.224/28`, 'fz-net']);
  pools.networks.push('fz-net');
  const ensureTargets = () => {
    const running = d.berth(['ps', '-q']).stdout.trim();
    if (!running) d.berth(['run', '-d', '--stop-timeout', '1', '--name', `fz-run-${Date.now()}`, 'busybox', 'sleep', '3600']);
    for (const name of ['fz-created', 'fz-exited']) {
      if (d.berth(['inspect', name]).code !== 0) {
        d.berth([name === 'fz-created' ? 'create' : 'run', '--name', name, 'busybox', 'sh', '-c', 'exit 3']);
      }
    }
  };
  const refreshPools = async () => {
    const list = await api<Array<{ Id: string; Names: string[] }>>('GET', '/containers/json?all=1').catch(() => undefined);
    // from the records on disk when the listing is what broke
    const found = list?.status === 200 && Array.isArray(list.value) ? list.value.map((c) => ({ id: c.Id, name: c.Names[0] ?? '' })) : containerRecordsOnDisk(d.dataRoot).map((c) => ({ id: c.Id, name: c.Name ?? '' }));
    pools.containers = found.flatMap((c) => [c.id, c.id.slice(0, 12), c.name.replace(/^\//, '')]).filter(Boolean).slice(-60);
    const nets = await api<Array<{ Name: string }>>('GET', '/networks').catch(() => undefined);
    if (nets?.status === 200 && Array.isArray(nets.value)) pools.networks = nets.value.map((n) => n.Name);
    const vols = await api<{ Volumes: Array<{ Name: string }> | null }>('GET', '/volumes').catch(() => undefined);
    if (vols?.status === 200 && Array.isArray(vols.value?.Volumes ?? [])) pools.volumes = (vols.value.Volumes ?? []).map((v) => v.Name).slice(-20);
    pools.execs = pools.execs.slice(-20);
  };

  const rng = new Rng(seed);
  const counts = { sent: 0, ok: 0, client: 0, server: 0, other500: 0 };
  const other500 = new Map<string, number>();
  let daemonDied = false;
  for (let i = 0; i < total; i++) {
    if (i % 100 === 0) {
      ensureTargets();
      await refreshPools();
    }
    if (i % 250 === 0 && i > 0) for (const b of await checkListings(`after ${i} requests`)) fail('listing', 'listing-broken', b);
    const req = nextRequest(rng, pools);
    const before: Partial<Record<string, Set<string> | undefined>> = {};
    for (const kind of req.creates) before[kind] = await listing(kind);
    const a = await send(d.socket, req);
    counts.sent++;
    if (traceFile) appendFileSync(traceFile, `${i} ${req.method} ${req.path.slice(0, 300)} ${req.body && 'json' in req.body ? (JSON.stringify(req.body.json) ?? '').slice(0, 300) : ''}\n   → ${a.hung ? 'HUNG' : a.noAnswer ? 'no answer: ' + a.noAnswer : a.status} ${(a.message ?? '').slice(0, 300)}\n`);
    const brief = `${req.method} ${req.path.slice(0, 160)}${req.body && 'json' in req.body ? ' ' + (JSON.stringify(req.body.json) ?? '').slice(0, 160) : ''}`;
    if (a.hung) fail(req.route, 'hang', brief);
    else if (a.noAnswer && !req.streaming) fail(req.route, 'no-answer', `${brief} → ${a.noAnswer}`);
    else if (a.status >= 200 && a.status < 300) counts.ok++;
    else if (a.status >= 400 && a.status < 500) counts.client++;
    else if (a.status >= 500) {
      counts.server++;
      const message = a.message ?? a.body.slice(0, 200);
      if (a.status === 500 && jsError.test(message)) fail(req.route, 'js-500', `${brief} → ${message.slice(0, 200)}`);
      else {
        counts.other500++;
        const key = `${req.route} ${a.status} ${message.replace(/[0-9a-f]{12,64}/g, '<id>').slice(0, 100)}`;
        other500.set(key, (other500.get(key) ?? 0) + 1);
      }
    }
    // objects the request made: with a 2xx they join the pools, without one there must be none
    const ok2xx = a.status >= 200 && a.status < 300;
    for (const kind of req.creates) {
      const after = await listing(kind);
      const prior = before[kind];
      if (!after || !prior) continue;
      const added = [...after].filter((x) => !prior.has(x));
      if (added.length && !ok2xx) fail(req.route, 'object-without-2xx', `${brief} → ${a.status} ${a.message ?? ''}; new ${kind}: ${added.join(', ').slice(0, 200)}`);
    }
    if (ok2xx && /^\{/.test(a.body)) {
      try {
        const v = JSON.parse(a.body) as { Id?: string; Name?: string };
        if (req.route === 'POST /containers/{id}/exec' && v.Id) pools.execs.push(v.Id);
      } catch {
        // not JSON
      }
    }
    if (d.process.exitCode !== null || d.process.signalCode !== null) {
      daemonDied = true;
      fail(req.route, 'daemon-died', `${brief}\n${d.logs().slice(-2000)}`);
      break;
    }
  }

  await Promise.all(open);
  // afterwards: the listings work, and everything can be removed
  for (const b of await checkListings('at the end')) fail('listing', 'listing-broken', b);
  let mid: Leftovers | undefined;
  for (let i = 0; i < 20 && !daemonDied; i++) {
    mid = await leftovers();
    if (isEmpty(mid)) break;
    await sleep(250);
  }
  if (mid) for (const [k, v] of Object.entries(mid)) for (const x of v as string[]) fail('after the run', `orphan-${k}`, x);

  if (!daemonDied) {
    // by the records on disk: the listing itself may be what the run broke
    for (const c of containerRecordsOnDisk(d.dataRoot)) {
      const r = await send(d.socket, { route: 'DELETE /containers/{id}', method: 'DELETE', path: `/containers/${c.Id}?force=1&v=1`, body: undefined, headers: {}, streaming: false, holdMs: 0, creates: [] });
      if (r.hung) fail('cleanup', 'rm-hang', c.Id);
      else if (r.status !== 204 && r.status !== 404) fail('cleanup', 'rm-failed', `${c.Id} → ${r.status} ${r.message ?? r.body}`);
    }
    const nets = await api<Array<{ Name: string; Id: string }>>('GET', '/networks').catch(() => undefined);
    for (const n of Array.isArray(nets?.value) ? nets.value : []) if (!['bridge', 'host', 'none'].includes(n.Name)) await api('DELETE', `/networks/${n.Id}`);
    await api('POST', '/volumes/prune?filters=' + encodeURIComponent(JSON.stringify({ all: ['true'] })));
  }
  // settle: exits, --rm removals and closed connections are processed asynchronously
  let end: Leftovers | undefined;
  let fdsAfter = NaN;
  for (let i = 0; i < 40 && !daemonDied; i++) {
    end = await leftovers();
    fdsAfter = fdCount(d.process.pid!);
    if (isEmpty(end) && fdsAfter <= fdsBefore + 3) break;
    await sleep(250);
  }
  if (end) for (const [k, v] of Object.entries(end)) for (const x of v as string[]) fail('after cleanup', `orphan-${k}`, x);
  if (!daemonDied && fdsAfter > fdsBefore + 3) {
    const was = new Set(fdListBefore.map((l) => l.replace(/^\d+ -> /, '')));
    const extra = fdTargets(d.process.pid!).filter((l) => !was.has(l.replace(/^\d+ -> /, '')));
    fail('after cleanup', 'fd-leak', `${fdsBefore} → ${fdsAfter}: ${extra.join(', ').slice(0, 600)}`);
  }

  // the summary: counts, then failures by route and kind, with one example each
  const byKey = new Map<string, { n: number; example: string }>();
  for (const f of failures) {
    const key = `${f.kind.padEnd(20)} ${f.route}`;
    const e = byKey.get(key) ?? { n: 0, example: f.detail };
    e.n++;
    byKey.set(key, e);
  }
  const kinds = new Map<string, number>();
  for (const f of failures) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const lines = [
    `fuzz seed ${seed}: ${counts.sent} requests, ${counts.ok} 2xx, ${counts.client} 4xx, ${counts.server} 5xx (${counts.other500} of them not JavaScript errors); berthd fds ${fdsBefore} → ${fdsAfter}`,
    `failures: ${failures.length}${failures.length ? ' — ' + [...kinds].map(([k, n]) => `${k} ${n}`).join(', ') : ''}`,
    ...[...byKey].sort((a, b) => b[1].n - a[1].n).map(([k, e]) => `  ${String(e.n).padStart(4)}  ${k}\n          e.g. ${e.example.replace(/\s+/g, ' ').slice(0, 300)}`),
  ];
  if (other500.size) lines.push('other 5xx (reported, not failures):', ...[...other500].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`));
  console.log(lines.join('\n'));
  if (mid && !isEmpty(mid)) console.log(`leftovers right after the run:\n${describeLeftovers(mid)}`);
  assert.equal(failures.length, 0, `${failures.length} fuzz failures (summary above)`);
});
