import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { command, lazySpecs, type CommandGroup } from './command.ts';
import { formatUsage, parseFlags } from './flags.ts';
import { argumentError, buildTable, commandHelp, listedCommands, managementUsage, rootUsage, unknownCommand } from './command-table.ts';

describe('the command table', () => {
  const table = buildTable();
  const entries = [...table.top.values(), ...table.management.flatMap((m) => [...m.commands.values()])];

  it('places every command under a name, and every management command has commands', () => {
    assert.ok(table.top.size > 30);
    assert.deepEqual(
      table.management.map((m) => m.name),
      ['container', 'image', 'builder', 'system', 'network', 'volume', 'registry', 'compose', 'context', 'completion'],
    );
    for (const m of table.management) assert.ok(m.commands.size > 0, m.name);
    // A group places commands under another group's management command (registry → image).
    assert.equal(table.management.find((m) => m.name === 'image')!.commands.get('push'), table.top.get('push'));
    assert.equal(table.management.find((m) => m.name === 'image')!.commands.get('build'), table.top.get('build'));
    assert.equal(table.management.find((m) => m.name === 'builder')!.commands.get('build'), table.top.get('build'));
  });

  it('has flag tables pflag would accept, and help for every command', async () => {
    for (const e of entries) {
      const spec = await e.spec();
      assert.doesNotThrow(() => parseFlags([], { ...spec.flags, help: { type: 'bool' } }), spec.usage);
      assert.match(formatUsage('berth x', { usage: spec.usage, description: spec.description, flags: spec.flags }), /^Usage: {2}berth x( |\n)/);
    }
    // by name, as docker lists them: builder first
    assert.match(await rootUsage(table), /Management Commands:\n {2}builder {5}Manage builds\n {2}completion {2}Generate the autocompletion script for the specified shell\n {2}compose {5}Define and run multi-container applications \(Docker Compose\)\n {2}container {3}Manage containers\n {2}context {5}Manage contexts\n/);
    // compose takes its project options before the subcommand, and every subcommand takes them too.
    const compose = table.management.find((m) => m.name === 'compose')!;
    assert.match(await managementUsage(compose), /^Usage: {2}berth compose \[OPTIONS\] COMMAND\n(.|\n)*Options:\n(.|\n)* {2}-f, --file stringArray /);
    for (const [name, c] of compose.commands) for (const f of Object.keys(compose.flags!)) assert.ok(f in (await c.spec()).flags, `compose ${name} takes --${f}`);
    assert.equal(parseFlags(['-f', 'x.yml', '-f', 'y.yml'], (await compose.commands.get('logs')!.spec()).flags).flags.follow, true);
    assert.match(await managementUsage(table.management[0]!), /^Usage: {2}berth container COMMAND\n/);
  });

  it('refuses a name claimed twice, or a management command nobody defines', () => {
    const spec = { usage: '', description: 'd', flags: {} };
    const entry = command(async () => spec, { top: ['x'], under: { g: ['x'] } }, async () => async () => {});
    const group = (commands: CommandGroup['commands']): CommandGroup => ({ management: { name: 'g', description: 'g' }, commands });
    assert.doesNotThrow(() => buildTable([group([entry])]));
    assert.throws(() => buildTable([group([entry, entry])]), /berth: x is defined twice/);
    assert.throws(() => buildTable([{ commands: [entry] }]), /no management command g/);
  });

  it('loads a spec when it is needed, once, and an implementation only when its command runs', async () => {
    let loaded = 0;
    let specsLoaded = 0;
    const spec = { usage: '', description: 'd', flags: { n: { type: 'int', default: 1 } } } as const;
    const specs = lazySpecs(async () => {
      specsLoaded++;
      return { x: spec };
    });
    const entry = command(specs('x'), { top: ['x'] }, async () => {
      loaded++;
      return async (_ctx, args, flags) => flags.n + args.length;
    });
    const table = buildTable([{ commands: [entry] }]);
    assert.equal(specsLoaded, 0);
    assert.equal(loaded, 0);
    assert.equal(await table.top.get('x')!.spec(), spec);
    assert.equal(await entry.spec(), spec);
    assert.equal(specsLoaded, 1);
    assert.equal(loaded, 0);
    const ctx = {} as Parameters<typeof entry.run>[0];
    assert.equal(await entry.run(ctx, ['a', 'b'], parseFlags([], spec.flags).flags), 3);
    assert.equal(loaded, 1);
  });

  it('lists commands and management commands in byte order, as cobra does', async () => {
    const entry = (name: string) => command(async () => ({ usage: '', description: `about ${name}`, flags: {} }), { top: [name], under: { g: [name] } }, async () => async () => {});
    const table = buildTable([{ management: { name: 'g', description: 'g' }, commands: ['b', 'a', 'B', '_c'].map(entry) }]);
    assert.match(await rootUsage(table), /Commands:\n {2}B {11}about B\n {2}_c {10}about _c\n {2}a {11}about a\n {2}b {11}about b\n/);
    assert.deepEqual((await listedCommands(table.management[0]!)).map(([n]) => n), ['B', '_c', 'a', 'b']);
  });

  it("words usage errors as docker 28 does: See after a minimum, Run otherwise", () => {
    const spec = (minArgs?: number, maxArgs?: number) => ({ usage: 'X', description: 'd', flags: {}, ...(minArgs !== undefined ? { minArgs } : {}), ...(maxArgs !== undefined ? { maxArgs } : {}) });
    assert.equal(argumentError('stop', spec(1), 0), "berth: 'berth stop' requires at least 1 argument\n\nUsage:  berth stop X\n\nSee 'berth stop --help' for more information\n");
    assert.equal(argumentError('rename', spec(2, 2), 1), "berth: 'berth rename' requires 2 arguments\n\nUsage:  berth rename X\n\nRun 'berth rename --help' for more information\n");
    assert.match(argumentError('port', spec(1, 2), 3)!, /^berth: 'berth port' requires at least 1 and at most 2 arguments\n/);
    assert.match(argumentError('login', spec(undefined, 1), 2)!, /requires at most 1 argument\n\nUsage: {2}berth login X\n\nRun /);
    assert.match(argumentError('version', spec(undefined, 0), 1)!, /'berth version' accepts no arguments/);
    assert.equal(argumentError('stop', spec(1), 3), undefined);
  });

  it('suggests the closest commands for an unknown one, and shows help with aliases', async () => {
    assert.equal(unknownCommand('stpo', 'stpo', table.top.keys()), "berth: unknown command: berth stpo\n\nDid you mean this?\n\tstop\n\nRun 'berth --help' for more information\n");
    assert.equal(
      unknownCommand('volume lss', 'lss', ['ls', 'rm'], 'berth volume'),
      "berth: unknown command: berth volume lss\n\nDid you mean this?\n\tls\n\nUsage:  berth volume\n\nRun 'berth volume --help' for more information\n",
    );
    assert.equal(unknownCommand('zzzzzz', 'zzzzzz', table.top.keys()), "berth: unknown command: berth zzzzzz\n\nRun 'berth --help' for more information\n");
    const stop = table.top.get('stop')!;
    assert.match(commandHelp('stop', stop, await stop.spec()), /^Usage: {2}berth stop \[OPTIONS\] CONTAINER \[CONTAINER\.\.\.\]\n\nStop one or more running containers\n\nAliases:\n {2}berth container stop, berth stop\n\nOptions:\n/);
  });
});
