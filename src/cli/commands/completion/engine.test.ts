import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NameKind } from '../../command.ts';
import { buildTable, globalFlags } from '../../command-table.ts';
import { Directive, complete, type CompletionSources } from './engine.ts';

const names: Record<NameKind, string[]> = {
  container: ['web', 'db', 'old'],
  'container-running': ['web', 'db'],
  'container-stopped': ['old'],
  'container-paused': [],
  'container-path': ['web:', 'db:', 'old:'],
  image: ['busybox:latest', 'busybox:1.36', 'alpine:3'],
  network: ['bridge', 'backend'],
  volume: ['data'],
  context: ['default', 'remote'],
  object: ['web', 'busybox:latest'],
  file: [],
  none: [],
};
const asked: NameKind[] = [];
const src: CompletionSources = {
  table: buildTable(),
  globalFlags,
  extraTop: { help: 'Help about any command' },
  names: async (kind) => {
    asked.push(kind);
    return names[kind];
  },
};
const words = async (line: string) => {
  const parts = line.split(' ');
  const r = await complete(parts.slice(0, -1), parts[parts.length - 1]!, src);
  return { words: r.candidates.map((c) => c.split('\t')[0]), directive: r.directive, described: r.candidates };
};

describe('completion', () => {
  it('completes commands and management commands with their descriptions', async () => {
    const r = await words('st');
    assert.deepEqual(r.words, ['start', 'stats', 'stop']);
    assert.ok(r.described.includes('stop\tStop one or more running containers'));
    assert.equal(r.directive, Directive.noFileComp);
    assert.deepEqual((await words('cont')).words, ['container', 'context']);
    assert.deepEqual((await words('he')).words, ['help']);
    assert.deepEqual((await words('container l')).words, ['logs', 'ls'], 'docker lists no aliases (list, ps)');
  });

  it('completes flags, global ones before the command', async () => {
    assert.deepEqual((await words('run --net')).words, ['--network', '--network-alias']);
    assert.deepEqual((await words('--ti')).words, []);
    assert.deepEqual((await words('--tls')).words, ['--tls', '--tlscacert', '--tlscert', '--tlskey', '--tlsverify']);
    assert.ok((await words('ps -')).words.includes('-a'));
  });

  it('offers the names the command takes: running containers to stop, stopped ones to start', async () => {
    assert.deepEqual((await words('stop ')).words, ['db', 'web']);
    assert.deepEqual((await words('start ')).words, ['old']);
    assert.deepEqual((await words('rm w')).words, ['web']);
    assert.deepEqual((await words('stop web ')).words, ['db', 'web'], 'every argument is a container');
    assert.deepEqual((await words('run busybox:')).words, ['busybox:1.36', 'busybox:latest']);
    assert.deepEqual((await words('network connect b')).words, ['backend', 'bridge']);
    assert.deepEqual((await words('network connect backend ')).words, ['db', 'old', 'web']);
    assert.deepEqual((await words('volume rm ')).words, ['data']);
    assert.deepEqual((await words('context use ')).words, ['default', 'remote']);
    assert.deepEqual((await words('--context r')).words, ['remote']);
    assert.deepEqual((await words('-c ')).words, ['default', 'remote']);
    assert.deepEqual((await words('completion ')).words, ['bash', 'fish', 'zsh']);
  });

  it("offers flag values, and nothing for a container's own command", async () => {
    assert.deepEqual((await words('run --network ')).words, ['backend', 'bridge']);
    assert.deepEqual((await words('run --network=ba')).words, ['--network=backend']);
    assert.deepEqual((await words('run --pull ')).words, ['always', 'missing', 'never']);
    asked.length = 0;
    const cmd = await words('run -it busybox sh -');
    assert.deepEqual(cmd.words, []);
    assert.equal(cmd.directive, Directive.noFileComp);
    assert.deepEqual(asked, []);
    assert.deepEqual((await words('exec -it web ')).words, []);
    assert.deepEqual((await words('rename web ')).words, []);
  });

  it('leaves file names to the shell where a command takes a path', async () => {
    assert.equal((await words('save -o ')).directive, Directive.default);
    const cp = await words('cp w');
    assert.deepEqual([cp.words, cp.directive], [['web:'], Directive.noSpace], "cp: a container's name and its colon, or a local file");
    assert.deepEqual(await words('cp web:/etc/ho'), { words: [], directive: Directive.noFileComp, described: [] });
    assert.equal((await words('import ')).directive, Directive.default);
    assert.equal((await words('load --input ')).directive, Directive.default);
  });

  it("steps over a management command's own options to its subcommand", async () => {
    assert.deepEqual((await words('compose -f a.yml -p demo u')).words, ['unpause', 'up']);
    assert.ok((await words('compose --pro')).words.includes('--project-name'));
    assert.equal((await words('compose -f ')).directive, Directive.default, 'the compose file is a file name');
    assert.ok((await words('compose -f a.yml up --bu')).words.includes('--build'));
  });

  it('completes after help as at the top', async () => {
    assert.deepEqual((await words('help sto')).words, ['stop']);
    assert.deepEqual((await words('help volume ')).words, ['create', 'inspect', 'ls', 'prune', 'rm']);
  });

  it('knows what the arguments of every command that takes a name are, so a new command cannot go without', async () => {
    const table = buildTable();
    const entries = [...table.top, ...table.management.flatMap((m) => [...m.commands].map(([n, e]) => [`${m.name} ${n}`, e] as const))];
    for (const [path, entry] of entries) {
      const spec = await entry.spec();
      if (/\b(CONTAINER|IMAGE|NETWORK|VOLUME|CONTEXT)\b/.test(spec.usage)) assert.ok(spec.complete?.args?.length, `${path} (${spec.usage}) has no complete.args`);
    }
  });
});
