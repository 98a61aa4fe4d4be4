// The orchestrator over fake ports: the cache (and what misses it), dockerd's classic output,
// independent stages running at once with their output in order, failures that stop the rest,
// and --cache-from images standing in for steps.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { JsonMessage } from '../types/index.ts';
import { sourcesDigest, historySourceHash } from './cache-key.ts';
import { executeBuild, StepFailed, type ExecuteOptions } from './execute.ts';
import { parseStages } from './instructions.ts';
import { BuildPlan } from './plan.ts';
import { historyEntry, type BuildExecutor, type ImageHandle, type LayerResult } from './ports.ts';

const host = { os: 'linux', architecture: 'amd64' };
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

interface Fake {
  executor: BuildExecutor;
  ran: string[];
  images: Map<string, ImageHandle>;
  cache: Map<string, string>;
  /** Called when a RUN starts; may hold it. */
  onRun?: (args: string, signal: AbortSignal) => Promise<void>;
  files: Record<string, string>;
}

function fake(files: Record<string, string> = {}, cache = new Map<string, string>(), images = new Map<string, ImageHandle>()): Fake {
  const base: ImageHandle = { id: 'sha256:base', config: { Cmd: ['sh'] }, diffIds: ['sha256:l0'], history: [{ created_by: 'base' }], platform: host };
  images.set(base.id, base);
  const f: Fake = {
    ran: [],
    images,
    cache,
    files,
    executor: {
      images: {
        resolve: async (ref) => {
          if (ref !== 'base') throw new Error(`no image ${ref}`);
          return base;
        },
        byId: (id) => images.get(id),
      },
      steps: {
        run: async (step, o) => {
          f.ran.push(step.args.join(' '));
          o.onStart('c0ffee' + f.ran.length);
          await f.onRun?.(step.args.join(' '), o.signal);
          if (o.signal.aborted) throw o.signal.reason;
          if (step.args.at(-1) === 'fail') throw new StepFailed(`The command '${step.args.join(' ')}' returned a non-zero code: 3`, { code: 3 });
          o.output('stdout', Buffer.from(`out of ${step.args.at(-1)}\n`));
          o.onRemove('c0ffee' + f.ran.length);
          return { diffId: `sha256:${hex(step.args.join(' ') + f.ran.length)}` };
        },
        prepareCopy: async (step) => {
          const records = step.sources.map((p) => ({ path: p, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: f.files[p].length, contentDigest: hex(f.files[p]) }));
          const digest = sourcesDigest(records);
          return { sourceHash: historySourceHash([{ kind: 'file', digest }]), sourcesDigest: digest, release: async () => {} };
        },
        copy: async (step): Promise<LayerResult> => {
          f.ran.push(`copy ${step.sources.join(' ')}`);
          return { diffId: `sha256:${hex(step.sources.map((p) => f.files[p]).join())}` };
        },
        workdir: async () => ({ diffId: null }),
      },
      committer: {
        commit: async (input) => {
          const id = `sha256:${hex(JSON.stringify([input.parent.id, input.config, input.history.created_by, input.layer.diffId]))}`;
          const image: ImageHandle = {
            id,
            config: input.config,
            diffIds: input.layer.diffId ? [...input.parent.diffIds, input.layer.diffId] : input.parent.diffIds,
            history: [...input.parent.history, input.history],
            platform: host,
          };
          images.set(id, image);
          return image;
        },
      },
      cache: {
        get: async (key) => cache.get(key),
        put: async (key, id) => {
          cache.set(key, id);
        },
      },
    },
  };
  return f;
}

const options = (o: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  noCache: false,
  pull: false,
  cacheFrom: [],
  secrets: new Map(),
  extraHosts: [],
  hostPlatform: host,
  parallelism: 2,
  signal: new AbortController().signal,
  now: () => new Date('2024-01-01T00:00:00Z'),
  ...o,
});

async function build(f: Fake, dockerfile: string, o: Partial<ExecuteOptions> = {}) {
  const out: JsonMessage[] = [];
  const plan = new BuildPlan(parseStages(dockerfile), { hostPlatform: host });
  const result = await executeBuild(plan, f.executor, options(o), (m) => out.push(m));
  const text = out.map((m) => m.stream ?? `<aux ${JSON.stringify(m.aux)}>\n`).join('');
  return { result, text, out };
}

describe('executeBuild', () => {
  const dockerfile = 'FROM base AS a\nRUN make a\nFROM base AS b\nCOPY b.txt /b\nFROM a\nCOPY a.txt /a\nCOPY --from=b /b /b\nCMD ["run"]\n';

  it('a rebuild is served by the cache; a changed file misses from its COPY on', async () => {
    const files = { 'a.txt': 'A', 'b.txt': 'B', '/b': 'B' };
    const f = fake(files);
    const first = await build(f, dockerfile);
    assert.deepEqual(f.ran, ['/bin/sh -c make a', 'copy b.txt', 'copy a.txt', 'copy /b']);
    assert.deepEqual(first.result.image.config?.Cmd, ['run']);
    assert.equal(first.result.image.diffIds.length, 4);
    f.ran.length = 0;
    const again = await build(f, dockerfile);
    assert.equal(again.result.image.id, first.result.image.id);
    assert.deepEqual(f.ran, []);
    assert.equal(again.text.match(/ ---> Using cache\n/g)?.length, 5);
    files['a.txt'] = 'A2';
    const touched = await build(f, dockerfile);
    assert.deepEqual(f.ran, ['copy a.txt', 'copy /b']);
    assert.notEqual(touched.result.image.id, first.result.image.id);
    f.ran.length = 0;
    await build(f, dockerfile, { noCache: true });
    assert.equal(f.ran.length, 4, '--no-cache runs everything');
  });

  it("prints dockerd's classic output: steps, containers, image IDs, aux per stage", async () => {
    const f = fake();
    const { text, result } = await build(f, 'ARG X=1\nFROM base\nENV A=1\nRUN echo hi\n');
    const id = (s: string) => s.replace(/^sha256:/, '').slice(0, 12);
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 8), ['Step 1/4 : ARG X=1', 'Step 2/4 : FROM base', ' ---> base', 'Step 3/4 : ENV A=1', lines[4], 'Step 4/4 : RUN echo hi', ' ---> Running in c0ffee1', 'out of echo hi']);
    assert.match(lines[4], /^ ---> [0-9a-f]{12}$/);
    assert.equal(lines[8], 'Removing intermediate container c0ffee1');
    assert.equal(lines[9], ` ---> ${id(result.image.id)}`);
    assert.equal(lines[10], `<aux {"ID":"${result.image.id}"}>`);
  });

  // The orchestration is checked by dependencies between the fake steps, never by time: a run
  // that never happens would hang, which the test's timeout turns into a failure.
  it('runs independent stages at once and prints them in order', { timeout: 30_000 }, async () => {
    const f = fake({ '/x': 'X' });
    let bStarted!: () => void;
    const bRunning = new Promise<void>((r) => (bStarted = r));
    f.onRun = async (args) => {
      if (args.endsWith('make a')) await bRunning; // only a build running both at once gets past
      if (args.endsWith('make b')) bStarted();
    };
    const { text } = await build(f, 'FROM base AS a\nRUN make a\nFROM base AS b\nRUN make b\nFROM a\nCOPY --from=b /x /x\n');
    assert.deepEqual(f.ran.slice(0, 2), ['/bin/sh -c make a', '/bin/sh -c make b']);
    // b finished first, yet a's lines come first, as a sequential build prints them
    assert.ok(text.indexOf('out of make a') < text.indexOf('Step 3/6 : FROM base AS b'), text);
    assert.ok(text.indexOf('out of make b') < text.indexOf('Step 5/6 : FROM a'), text);
  });

  it('a failing step stops the stages running beside it and reports its own error', { timeout: 30_000 }, async () => {
    const f = fake();
    f.onRun = async (args, signal) => {
      // stage a's step ends only when the build aborts it
      if (args.endsWith('slow')) await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    };
    const plan = new BuildPlan(parseStages('FROM base AS a\nRUN slow\nFROM base AS b\nRUN fail\nFROM a\nCOPY --from=b /x /x\n'), { hostPlatform: host });
    const out: JsonMessage[] = [];
    await assert.rejects(
      executeBuild(plan, f.executor, options(), (m) => out.push(m)),
      (err: unknown) => err instanceof StepFailed && err.code === 3 && /returned a non-zero code: 3/.test(err.message),
    );
    assert.deepEqual(f.ran, ['/bin/sh -c slow', '/bin/sh -c fail']);
    const text = out.map((m) => m.stream ?? '').join('');
    assert.match(text, /Step 2\/6 : RUN slow\n ---> Running in c0ffee1\n/);
    assert.match(text, /Step 4\/6 : RUN fail\n/);
  });

  it('--cache-from: an image whose history matches stands in for the steps it covers', async () => {
    const f = fake();
    const { result } = await build(f, 'FROM base\nENV A=1\nRUN make\n');
    const from = f.images.get(result.image.id)!;
    // a fresh daemon: same base image, empty cache, the built image pulled as cache source
    const g = fake({}, new Map(), new Map([[from.id, from]]));
    const again = await build(g, 'FROM base\nENV A=1\nRUN make\n', { cacheFrom: [from] });
    assert.deepEqual(g.ran, []);
    assert.deepEqual(again.result.image.diffIds, from.diffIds);
    assert.equal(again.text.match(/Using cache/g)?.length, 2);
  });
});

describe('historyEntry', () => {
  it('author and empty_layer only when set', () => {
    assert.deepEqual(historyEntry({ author: '', createdBy: 'x' }, { created: 't', emptyLayer: false }), { created: 't', created_by: 'x' });
    assert.deepEqual(historyEntry({ author: 'me', createdBy: 'x' }, { created: 't', emptyLayer: true }), { created: 't', author: 'me', created_by: 'x', empty_layer: true });
  });
});
