import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { command, type CommandGroup } from './command.ts';
import { formatUsage, parseFlags } from './flags.ts';
import { buildTable, managementUsage, rootUsage } from './command-table.ts';

describe('the command table', () => {
  const table = buildTable();
  const entries = [...table.top.values(), ...table.management.flatMap((m) => [...m.commands.values()])];

  it('places every command under a name, and every management command has commands', () => {
    assert.ok(table.top.size > 30);
    assert.deepEqual(
      table.management.map((m) => m.name),
      ['container', 'image', 'builder', 'system', 'network', 'volume', 'registry', 'compose'],
    );
    for (const m of table.management) assert.ok(m.commands.size > 0, m.name);
    // A group places commands under another group's management command (registry → image).
    assert.equal(table.management.find((m) => m.name === 'image')!.commands.get('push'), table.top.get('push'));
    assert.equal(table.management.find((m) => m.name === 'image')!.commands.get('build'), table.top.get('build'));
    assert.equal(table.management.find((m) => m.name === 'builder')!.commands.get('build'), table.top.get('build'));
  });

  it('has flag tables pflag would accept, and help for every command', () => {
    for (const e of entries) {
      assert.doesNotThrow(() => parseFlags([], { ...e.spec.flags, help: { type: 'bool' } }), e.spec.usage);
      assert.match(formatUsage('berth x', { usage: e.spec.usage, description: e.spec.description, flags: e.spec.flags }), /^Usage: {2}berth x /);
    }
    // by name, as docker lists them: builder first
    assert.match(rootUsage(table), /Management Commands:\n {2}builder {5}Manage builds\n {2}compose {5}Define and run multi-container applications \(Docker Compose\)\n {2}container {3}Manage containers\n/);
    // compose takes its project options before the subcommand, and every subcommand takes them too.
    const compose = table.management.find((m) => m.name === 'compose')!;
    assert.match(managementUsage(compose), /^Usage: {2}berth compose \[OPTIONS\] COMMAND\n(.|\n)*Options:\n(.|\n)* {2}-f, --file stringArray /);
    for (const [name, c] of compose.commands) for (const f of Object.keys(compose.flags!)) assert.ok(f in c.spec.flags, `compose ${name} takes --${f}`);
    assert.equal(parseFlags(['-f', 'x.yml', '-f', 'y.yml'], compose.commands.get('logs')!.spec.flags).flags.follow, true);
    assert.match(managementUsage(table.management[0]!), /^Usage: {2}berth container COMMAND\n/);
  });

  it('refuses a name claimed twice, or a management command nobody defines', () => {
    const spec = { usage: '', description: 'd', flags: {} };
    const entry = command(spec, { top: ['x'], under: { g: ['x'] } }, async () => async () => {});
    const group = (commands: CommandGroup['commands']): CommandGroup => ({ management: { name: 'g', description: 'g' }, commands });
    assert.doesNotThrow(() => buildTable([group([entry])]));
    assert.throws(() => buildTable([group([entry, entry])]), /berth: x is defined twice/);
    assert.throws(() => buildTable([{ commands: [entry] }]), /no management command g/);
  });

  it('loads an implementation only when its command runs', async () => {
    let loaded = 0;
    const spec = { usage: '', description: 'd', flags: { n: { type: 'int', default: 1 } } } as const;
    const entry = command(spec, { top: ['x'] }, async () => {
      loaded++;
      return async (_ctx, args, flags) => flags.n + args.length;
    });
    buildTable([{ commands: [entry] }]);
    assert.equal(loaded, 0);
    const ctx = {} as Parameters<typeof entry.run>[0];
    assert.equal(await entry.run(ctx, ['a', 'b'], parseFlags([], spec.flags).flags), 3);
    assert.equal(loaded, 1);
  });
});
