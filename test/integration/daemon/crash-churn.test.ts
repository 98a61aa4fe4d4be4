// berthd SIGKILLed five times during a churn of `run --rm`, `run -d`, `create` and `rm`: at the
// crash points of lib/fault.ts (between `runc create` and `runc start`, after a start's mount,
// inside a removal) and at random times. After each restart everything must be consistent: no
// container shown running whose process is runc's init or gone, exit codes as the commands chose,
// no mount, runtime state, layer or temporary file nothing accounts for, and the containers that
// ran through it all adopted and still working.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { describeLeftovers, findLeftovers, isEmpty, knownContainers, type Inspected, type Leftovers } from '../../helpers/leftovers.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The error a start cut short by a crash leaves (engine/reconcile.ts). */
const interruptedStart = 'berthd stopped while starting the container: its command never ran';

/** One API request on its own connection; undefined when berthd is not there to answer. */
function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { socketPath: d.socket, method, path, agent: false, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.setTimeout(30_000, () => req.destroy());
    req.end(payload);
  });
}

type Details = Inspected & { Name: string; State: Inspected['State'] & { Pid: number; ExitCode: number; Error: string; Status: string; StartedAt: string }; Config: { Labels: Record<string, string> | null } };

/** Every container, inspected; fails when a listed container cannot be. */
async function inspectAll(): Promise<Details[]> {
  const list = await call('GET', '/containers/json?all=1');
  assert.equal(list?.status, 200, `listing: ${list?.text}`);
  const out: Details[] = [];
  for (const c of JSON.parse(list.text) as Array<{ Id: string }>) {
    const r = await call('GET', `/containers/${c.Id}/json`);
    if (r?.status === 404) continue; // a --rm removal in between
    assert.equal(r?.status, 200, `inspect ${c.Id}: ${r?.text}`);
    out.push(JSON.parse(r.text) as Details);
  }
  return out;
}

let seq = 0;
/** One churn step: create a container, and start it (as `run -d` or `run --rm`), or remove one. */
async function churnStep(): Promise<void> {
  const kind = seq++ % 5;
  const code = 3 + (seq % 5);
  const labels = { churn: '1', 'churn.exit': String(code) };
  if (kind === 4) {
    const list = await call('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: ['churn'] }))}`);
    const ids = list?.status === 200 ? (JSON.parse(list.text) as Array<{ Id: string }>).map((c) => c.Id) : [];
    if (ids.length) await call('DELETE', `/containers/${ids[seq % ids.length]}?force=1`);
    return;
  }
  const autoRemove = kind === 0;
  const cmd = kind === 1 ? ['sh', '-c', `exit ${code}`] : ['sh', '-c', `echo out; sleep 0.${seq % 9}; exit ${code}`];
  const created = await call('POST', '/containers/create', { Image: 'busybox', Cmd: cmd, Labels: labels, HostConfig: { AutoRemove: autoRemove } });
  if (created?.status !== 201 || kind === 1) return; // kind 1: created, never started
  const { Id } = JSON.parse(created.text) as { Id: string };
  await call('POST', `/containers/${Id}/start`);
  if (autoRemove) await call('POST', `/containers/${Id}/wait?condition=removed`);
}

/** Runs `workers` churn loops until `until` settles. */
async function churn(until: Promise<unknown>, workers = 3): Promise<number> {
  let done = false;
  let steps = 0;
  void until.finally(() => (done = true));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) {
        await churnStep();
        steps++;
      }
    }),
  );
  return steps;
}

const daemonExit = () =>
  new Promise<void>((resolve) => {
    if (d.process.exitCode !== null || d.process.signalCode !== null) resolve();
    else d.process.once('exit', () => resolve());
  });

function processCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** Whether the container is still shown running with process `pid` after a few seconds. */
async function stillShownRunning(id: string, pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    const r = await call('GET', `/containers/${id}/json`);
    if (r?.status !== 200) return false;
    const state = (JSON.parse(r.text) as Details).State;
    if (!state.Running || state.Pid !== pid) return false;
    await sleep(200);
  }
  return true;
}

/** What must hold after a restart; returns the problems found. */
async function consistency(keep: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  // exits recorded while berthd was down and --rm removals settle asynchronously: wait for calm
  let all: Details[] = [];
  let left: Leftovers | undefined;
  for (let i = 0; i < 60; i++) {
    all = await inspectAll();
    left = findLeftovers(d, knownContainers(all));
    if (isEmpty(left)) break;
    await sleep(250);
  }
  if (left && !isEmpty(left)) problems.push(`left over:\n${describeLeftovers(left)}`);
  for (const c of all) {
    const s = c.State;
    if (s.Running) {
      const cmd = processCmdline(s.Pid);
      // a process may have just ended, with its exit on the way: it must then show exited soon
      if (cmd === undefined) {
        if (await stillShownRunning(c.Id, s.Pid)) problems.push(`${c.Name} is shown running but its process ${s.Pid} is gone`);
      } else if (cmd.includes('runc init')) problems.push(`${c.Name} is shown running but its process is still runc init`);
    } else if (c.Config.Labels?.churn && s.StartedAt !== '0001-01-01T00:00:00Z' && s.Status === 'exited') {
      const expected = Number(c.Config.Labels['churn.exit']);
      if (s.Error === interruptedStart) {
        if (s.ExitCode !== 128) problems.push(`${c.Name}: an interrupted start recorded exit ${s.ExitCode}`);
      } else if (s.Error !== '') problems.push(`${c.Name}: exited with error ${JSON.stringify(s.Error)} (code ${s.ExitCode})`);
      else if (s.ExitCode !== expected) problems.push(`${c.Name}: exit code ${s.ExitCode}, its command exits ${expected}`);
    }
  }
  for (const [id, pid] of keep) {
    const c = all.find((x) => x.Id === id);
    if (!c?.State.Running || c.State.Pid !== pid) {
      problems.push(`long-running ${id.slice(0, 12)} was not adopted (${JSON.stringify(c?.State)})`);
      continue;
    }
    const r = d.berth(['exec', id, 'echo', 'alive']);
    if (r.stdout !== 'alive\n') problems.push(`exec in adopted ${id.slice(0, 12)}: ${r.code} ${r.stderr}`);
  }
  return problems;
}

it('five SIGKILLs of berthd during a churn of run --rm, run -d, create and rm leave everything consistent', { timeout: 15 * 60_000 }, async () => {
  const keep = new Map<string, number>();
  for (let i = 0; i < 3; i++) {
    const id = d.berthOk(['run', '-d', '--name', `keep-${i}`, 'busybox', 'sh', '-c', 'echo started; trap "exit 0" TERM; while true; do sleep 0.2; done']).trim();
    keep.set(id, Number(d.berthOk(['inspect', '-f', '{{.State.Pid}}', id])));
  }
  const kills: Array<{ how: string; steps: number; problems: string[] }> = [];
  const rounds: Array<{ fault?: string; afterMs?: number }> = [
    { fault: 'start:after-create' },
    { fault: 'start:after-mount' },
    { fault: 'remove:after-rename' },
    { afterMs: 1500 },
    { afterMs: 3700 },
  ];
  for (const round of rounds) {
    if (round.fault) {
      await d.stop();
      await d.startWithEnv({ BERTH_FAULT: round.fault });
    }
    const died = round.fault
      ? Promise.race([daemonExit(), sleep(120_000)])
      : sleep(round.afterMs!).then(() => d.stop('SIGKILL'));
    const steps = await churn(died);
    assert.equal(d.process.signalCode, 'SIGKILL', round.fault ? `the churn did not reach ${round.fault}` : 'berthd was not killed');
    await d.start();
    const problems = await consistency(keep);
    kills.push({ how: round.fault ?? `SIGKILL after ${round.afterMs} ms`, steps, problems });
  }
  // the adopted containers still take orders: stop one, and its exit is recorded
  const [first] = keep.keys();
  d.berthOk(['stop', first]);
  assert.equal(d.berthOk(['inspect', '-f', '{{.State.ExitCode}}', first]).trim(), '0');
  assert.equal(d.berthOk(['logs', first]), 'started\n');
  console.log(kills.map((k) => `${k.how}: ${k.steps} churn steps; ${k.problems.length ? k.problems.join('; ') : 'consistent'}`).join('\n'));
  assert.deepEqual(kills.flatMap((k) => k.problems.map((p) => `${k.how}: ${p}`)), []);
});
