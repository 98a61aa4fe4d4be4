import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, flagUsages, formatUsage, longForms, parseFlags, type FlagSpec } from './flags.ts';
import { InvalidArgument } from '../errors/index.ts';
// The tables under test are berth's own: `run`'s flags exercise every parsing rule.
import { logs, ps, run as runSpec, unpause } from './commands/container/specs.ts';
import { create as networkCreate } from './commands/network/specs.ts';

const run = runSpec.flags;

const parse = (argv: string[], interspersed = true) => parseFlags(argv, run, { interspersed });
const fails = (argv: string[], message: string, interspersed = true) =>
  assert.throws(() => parse(argv, interspersed), (err: unknown) => err instanceof FlagError && err.message === message, `${argv.join(' ')} → ${message}`);

describe('parseFlags: long flags', () => {
  it('takes a value after "=" or from the next argument', () => {
    assert.equal(parse(['--name', 'web']).flags.name, 'web');
    assert.equal(parse(['--name=web']).flags.name, 'web');
    assert.equal(parse(['--name=']).flags.name, '');
    assert.equal(parse(['--name=a=b']).flags.name, 'a=b');
    // The next argument is the value even when it looks like a flag, as in pflag.
    assert.equal(parse(['--name', '--rm']).flags.name, '--rm');
    assert.equal(parse(['--stop-timeout', '-1']).flags['stop-timeout'], -1);
  });
  it('never lets a bool flag take the next argument', () => {
    const r = parse(['--rm', 'false']);
    assert.equal(r.flags.rm, true);
    assert.deepEqual(r.args, ['false']);
    assert.equal(parse(['--rm=false']).flags.rm, false);
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parse([`--rm=${t}`]).flags.rm, true, t);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parse([`--rm=${f}`]).flags.rm, false, f);
  });
  it('refuses unknown flags, missing values and bad syntax with pflag messages', () => {
    fails(['--foo'], 'unknown flag: --foo');
    fails(['--foo=1', 'x'], 'unknown flag: --foo');
    fails(['--name'], 'flag needs an argument: --name');
    fails(['--env'], 'flag needs an argument: --env');
    fails(['--=x'], 'bad flag syntax: --=x');
    fails(['---x'], 'bad flag syntax: ---x');
    fails(['--rm=maybe'], 'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
    fails(['--rm=tRUE'], 'invalid argument "tRUE" for "--rm" flag: strconv.ParseBool: parsing "tRUE": invalid syntax');
    fails(['--detach=false=true'], 'invalid argument "false=true" for "-d, --detach" flag: strconv.ParseBool: parsing "false=true": invalid syntax');
  });
});

describe('parseFlags: shorthands', () => {
  it('reads clusters of bool shorthands', () => {
    const r = parse(['-itd']);
    assert.equal(r.flags.interactive, true);
    assert.equal(r.flags.tty, true);
    assert.equal(r.flags.detach, true);
    assert.deepEqual([...r.set].sort(), ['detach', 'interactive', 'tty']);
  });
  it('reads "-f=value" for any flag', () => {
    assert.equal(parse(['-d=false']).flags.detach, false);
    assert.equal(parse(['-d=true']).flags.detach, true);
    const r = parse(['-it=false']);
    assert.equal(r.flags.interactive, true);
    assert.equal(r.flags.tty, false);
    assert.deepEqual(parse(['-p=80:80']).flags.publish, ['80:80']);
    assert.deepEqual(parse(['-e=A=B']).flags.env, ['A=B']);
  });
  it('gives a value-taking shorthand the rest of its cluster, else the next argument', () => {
    assert.deepEqual(parse(['-p80:80']).flags.publish, ['80:80']);
    assert.deepEqual(parse(['-eA=B']).flags.env, ['A=B']);
    assert.deepEqual(parse(['-p', '80:80']).flags.publish, ['80:80']);
    const r = parse(['-itp', '80:80', 'img']);
    assert.deepEqual(r.flags.publish, ['80:80']);
    assert.equal(r.flags.tty, true);
    assert.deepEqual(r.args, ['img']);
    assert.deepEqual(parse(['-itp80:80']).flags.publish, ['80:80']);
    // "-pd" gives -p the value "d", it does not set -d.
    const pd = parse(['-pd']);
    assert.deepEqual(pd.flags.publish, ['d']);
    assert.equal(pd.flags.detach, undefined);
    // "-c=" is one character after -c: the value is "=".
    fails(['-c='], 'invalid argument "=" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "=": invalid syntax');
  });
  it('names the rest of the cluster in errors, as pflag does', () => {
    fails(['-itZ', 'x'], "unknown shorthand flag: 'Z' in -Z");
    fails(['-iZt', 'x'], "unknown shorthand flag: 'Z' in -Zt");
    fails(['-x'], "unknown shorthand flag: 'x' in -x");
    fails(['-='], "unknown shorthand flag: '=' in -=");
    fails(['-d='], "unknown shorthand flag: '=' in -=");
    fails(['-itp'], "flag needs an argument: 'p' in -p");
    fails(['-e'], "flag needs an argument: 'e' in -e");
    fails(['-d=maybe'], 'invalid argument "maybe" for "-d, --detach" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
    fails(['-i=yes'], 'invalid argument "yes" for "-i, --interactive" flag: strconv.ParseBool: parsing "yes": invalid syntax');
  });
});

describe('parseFlags: values', () => {
  it('collects repeated stringArray flags, each value whole', () => {
    assert.deepEqual(parse(['-e', 'A=1,B=2', '-e', 'C', '--env=D']).flags.env, ['A=1,B=2', 'C', 'D']);
  });
  it('replaces an array default on the first value', () => {
    const specs = { env: { type: 'stringArray', default: ['X'] }, s: { type: 'stringSlice', default: ['a', 'b'] } } satisfies Record<string, FlagSpec>;
    assert.deepEqual(parseFlags([], specs).flags, { env: ['X'], s: ['a', 'b'] });
    assert.deepEqual(parseFlags(['--env', 'Y', '--env', 'Z', '--s', 'c'], specs).flags, { env: ['Y', 'Z'], s: ['c'] });
    // Defaults are copied, never shared between parses.
    const first = parseFlags([], specs).flags.env!;
    first.push('mutated');
    assert.deepEqual(parseFlags([], specs).flags.env, ['X']);
  });
  const subnet = (argv: string[]) => parseFlags(argv, networkCreate.flags).flags.subnet;
  const subnetFails = (argv: string[], message: string) =>
    assert.throws(() => parseFlags(argv, networkCreate.flags), (err: unknown) => err instanceof FlagError && err.message === message, `${argv.join(' ')} → ${message}`);
  it('splits stringSlice values as CSV records', () => {
    assert.deepEqual(subnet(['--subnet', 'a,b', '--subnet=c']), ['a', 'b', 'c']);
    assert.deepEqual(subnet(['--subnet', '"a,b",c']), ['a,b', 'c']);
    assert.deepEqual(subnet(['--subnet', '"say ""hi"""']), ['say "hi"']);
    assert.deepEqual(subnet(['--subnet', 'a,,b']), ['a', '', 'b']);
    assert.deepEqual(subnet(['--subnet', '']), []);
    assert.deepEqual(subnet(['--subnet', 'a\nb']), ['a']);
  });
  it('refuses broken CSV with encoding/csv messages', () => {
    subnetFails(['--subnet', 'a"b'], 'invalid argument "a\\"b" for "--subnet" flag: parse error on line 1, column 2: bare " in non-quoted-field');
    subnetFails(['--subnet', 'é"'], 'invalid argument "é\\"" for "--subnet" flag: parse error on line 1, column 3: bare " in non-quoted-field');
    subnetFails(['--subnet', '"abc'], 'invalid argument "\\"abc" for "--subnet" flag: parse error on line 1, column 5: extraneous or missing " in quoted-field');
    subnetFails(['--subnet', '"ab"c'], 'invalid argument "\\"ab\\"c" for "--subnet" flag: parse error on line 1, column 4: extraneous or missing " in quoted-field');
    subnetFails(['--subnet', 'x,"ab"c'], 'invalid argument "x,\\"ab\\"c" for "--subnet" flag: parse error on line 1, column 6: extraneous or missing " in quoted-field');
    subnetFails(['--subnet', '"a\nb'], 'invalid argument "\\"a\\nb" for "--subnet" flag: record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field');
    subnetFails(['--subnet', '"a\n'], 'invalid argument "\\"a\\n" for "--subnet" flag: parse error on line 1, column 4: extraneous or missing " in quoted-field');
  });
  it('reads ints as strconv.ParseInt(s, 0, 64)', () => {
    const cases: [string, number][] = [['10', 10], ['-1', -1], ['+5', 5], ['0', 0], ['0x10', 16], ['0X1f', 31], ['010', 8], ['0o17', 15], ['0b11', 3], ['1_000', 1000], ['0x_1f', 31], ['9223372036854775807', 2 ** 63 - 1]];
    for (const [s, want] of cases) assert.equal(parse(['-c', s]).flags['cpu-shares'], want, s);
    const bad = (s: string, why: string) => fails(['-c', s], `invalid argument ${JSON.stringify(s)} for "-c, --cpu-shares" flag: strconv.ParseInt: parsing ${JSON.stringify(s)}: ${why}`);
    for (const s of ['abc', '', '1.5', '-1.5', '08', '0x', '0b', '1__0', '_1', '1_', '-', '0xg']) bad(s, 'invalid syntax');
    for (const s of ['99999999999999999999', '9223372036854775808', '-9223372036854775809', '99999999999999999999x']) bad(s, 'value out of range');
    assert.equal(parse(['-c', '-9223372036854775808']).flags['cpu-shares'], -(2 ** 63));
  });
  it('reads durations as Go durations, in nanoseconds', () => {
    // no berth command has a duration flag yet: docker run's --health-interval stands in
    const specs = { 'health-interval': { type: 'duration', usage: 'Time between running the check' } } satisfies Record<string, FlagSpec>;
    const interval = (argv: string[]) => parseFlags(argv, specs).flags['health-interval'];
    assert.equal(interval(['--health-interval', '1m30s']), 90_000_000_000n);
    assert.equal(interval(['--health-interval=500ms']), 500_000_000n);
    const typed: bigint | undefined = interval([]);
    assert.equal(typed, undefined);
    assert.throws(() => interval(['--health-interval', 'abc']), { message: 'invalid argument "abc" for "--health-interval" flag: time: invalid duration "abc"' });
    assert.throws(() => interval(['--health-interval', '10']), { message: 'invalid argument "10" for "--health-interval" flag: time: missing unit in duration "10"' });
  });
  it('holds defaults, leaves out flags neither given nor defaulted, and records what was given', () => {
    const r = parse(['--rm']);
    assert.equal(r.flags.pull, 'missing');
    assert.equal(r.flags['sig-proxy'], true);
    assert.equal('name' in r.flags, false);
    assert.equal(r.flags.detach, undefined);
    assert.deepEqual([...r.set], ['rm']);
    const again = parse(['--pull', 'always', '--sig-proxy=false']);
    assert.equal(again.flags.pull, 'always');
    assert.equal(again.flags['sig-proxy'], false);
    assert.deepEqual([...again.set].sort(), ['pull', 'sig-proxy']);
  });
  it('types the result after the specs: a flag with a default is always there', () => {
    const r = parse([]);
    const detach: boolean | undefined = r.flags.detach;
    const env: string[] | undefined = r.flags.env;
    const shares: number | undefined = r.flags['cpu-shares'];
    const pull: string = r.flags.pull;
    const sigProxy: boolean = r.flags['sig-proxy'];
    assert.deepEqual([detach, env, shares, pull, sigProxy], [undefined, undefined, undefined, 'missing', true]);
  });
});

describe('parseFlags: arguments', () => {
  it('takes flags among arguments by default', () => {
    const r = parse(['a', '-d', 'b', '--name', 'x', 'c']);
    assert.deepEqual(r.args, ['a', 'b', 'c']);
    assert.equal(r.flags.detach, true);
    assert.equal(r.argsLenAtDash, -1);
  });
  it('stops at the first argument when not interspersed (docker run)', () => {
    const r = parse(['-d', '--rm', 'busybox', 'ls', '-l', '--name', 'x'], false);
    assert.deepEqual(r.args, ['busybox', 'ls', '-l', '--name', 'x']);
    assert.equal(r.flags.detach, true);
    assert.equal(r.flags.name, undefined);
    fails(['--nope', 'busybox'], 'unknown flag: --nope', false);
    assert.deepEqual(parse(['busybox', '--nope'], false).args, ['busybox', '--nope']);
  });
  it('ends flags at "--" and remembers where', () => {
    const r = parse(['a', '--', '-d', '--rm', 'b']);
    assert.deepEqual(r.args, ['a', '-d', '--rm', 'b']);
    assert.equal(r.argsLenAtDash, 1);
    assert.equal(r.flags.detach, undefined);
    const nonInterspersed = parse(['-d', '--', 'busybox', '-x'], false);
    assert.deepEqual(nonInterspersed.args, ['busybox', '-x']);
    assert.equal(nonInterspersed.argsLenAtDash, 0);
  });
  it('treats "-" and "" as arguments', () => {
    assert.deepEqual(parse(['-', '', '-d']).args, ['-', '']);
  });
});

describe('parseFlags: aliases, hidden and deprecated flags', () => {
  it('sets the flag through an alias and names the alias in errors', () => {
    const r = parse(['--net-alias', 'web']);
    assert.deepEqual(r.flags['network-alias'], ['web']);
    assert.deepEqual([...r.set], ['network-alias']);
    assert.deepEqual(parse(['--net-alias=a', '--network-alias', 'b']).flags['network-alias'], ['a', 'b']);
    const specs = { 'stop-timeout': { type: 'int', aliases: ['time'] } } satisfies Record<string, FlagSpec>;
    assert.throws(() => parseFlags(['--time', 'x'], specs), { message: 'invalid argument "x" for "--time" flag: strconv.ParseInt: parsing "x": invalid syntax' });
  });
  it('parses hidden flags', () => {
    const r = parse(['--net', 'host']);
    assert.equal(r.flags.net, 'host');
    assert.equal(r.flags.network, undefined);
  });
  it("warns in pflag's words about deprecated flags and shorthands", () => {
    const specs = {
      'kernel-memory': { type: 'string', deprecated: 'and has no effect' },
      time: { type: 'int', short: 't', shortDeprecated: 'use --time' },
    } satisfies Record<string, FlagSpec>;
    const r = parseFlags(['--kernel-memory', '1g', '-t', '5'], specs);
    assert.equal(r.flags['kernel-memory'], '1g');
    assert.equal(r.flags.time, 5);
    assert.deepEqual(r.warnings, ['Flag --kernel-memory has been deprecated, and has no effect', 'Flag shorthand -t has been deprecated, use --time']);
    // A deprecated shorthand is left out of the flag's title in errors.
    assert.throws(() => parseFlags(['-t', 'x'], specs), { message: 'invalid argument "x" for "--time" flag: strconv.ParseInt: parsing "x": invalid syntax' });
    assert.deepEqual(parse(['-d']).warnings, []);
  });
});

describe('parseFlags: specs', () => {
  it('refuses specs pflag would refuse to define', () => {
    assert.throws(() => parseFlags([], { a: { type: 'bool', short: 'x' }, b: { type: 'bool', short: 'x' } }), TypeError);
    assert.throws(() => parseFlags([], { a: { type: 'bool', short: 'xy' } }), TypeError);
    assert.throws(() => parseFlags([], { a: { type: 'bool', aliases: ['b'] }, b: { type: 'bool' } }), TypeError);
    assert.throws(() => parseFlags([], { 'a=b': { type: 'bool' } }), TypeError);
  });
  it('throws FlagError, an InvalidArgument', () => {
    assert.throws(() => parse(['--foo']), (err: unknown) => err instanceof FlagError && err instanceof InvalidArgument && err.name === 'FlagError');
  });
});

describe('flagUsages and formatUsage', () => {
  it("renders berth's `logs` table as `docker logs --help`", () => {
    const text = formatUsage('docker logs', {
      usage: logs.usage,
      description: logs.description,
      aliases: ['docker container logs', 'docker logs'],
      flags: logs.flags,
    });
    assert.equal(
      text,
      [
        'Usage:  docker logs [OPTIONS] CONTAINER',
        '',
        'Fetch the logs of a container',
        '',
        'Aliases:',
        '  docker container logs, docker logs',
        '',
        'Options:',
        '      --details        Show extra details provided to logs',
        '  -f, --follow         Follow log output',
        '      --since string   Show logs since timestamp (e.g.',
        '                       "2013-01-02T13:23:37Z") or relative (e.g. "42m"',
        '                       for 42 minutes)',
        '  -n, --tail string    Number of lines to show from the end of the logs',
        '                       (default "all")',
        '  -t, --timestamps     Show timestamps',
        '      --until string   Show logs before a timestamp (e.g.',
        '                       "2013-01-02T13:23:37Z") or relative (e.g. "42m"',
        '                       for 42 minutes)',
        '',
      ].join('\n'),
    );
  });

  it("renders berth's `ps` table, with docker's long --format help, as `docker ps --help`", () => {
    const dockerFormatHelp =
      "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";
    const text = formatUsage('docker ps', {
      usage: ps.usage,
      description: ps.description,
      aliases: ['docker container ls', 'docker container list', 'docker container ps', 'docker ps'],
      flags: { ...ps.flags, format: { ...ps.flags.format, usage: dockerFormatHelp } },
    });
    assert.equal(
      text,
      [
        'Usage:  docker ps [OPTIONS]',
        '',
        'List containers',
        '',
        'Aliases:',
        '  docker container ls, docker container list, docker container ps, docker ps',
        '',
        'Options:',
        '  -a, --all             Show all containers (default shows just running)',
        '  -f, --filter filter   Filter output based on conditions provided',
        '      --format string   Format output using a custom template:',
        "                        'table':            Print output in table format",
        '                        with column headers (default)',
        "                        'table TEMPLATE':   Print output in table format",
        '                        using the given Go template',
        "                        'json':             Print in JSON format",
        "                        'TEMPLATE':         Print output using the given",
        '                        Go template.',
        '                        Refer to https://docs.docker.com/go/formatting/',
        '                        for more information about formatting output with',
        '                        templates',
        '  -n, --last int        Show n last created containers (includes all',
        '                        states) (default -1)',
        '  -l, --latest          Show the latest created container (includes all',
        '                        states)',
        "      --no-trunc        Don't truncate output",
        '  -q, --quiet           Only display container IDs',
        '  -s, --size            Display total file sizes',
        '',
      ].join('\n'),
    );
  });

  // docker's own global options (berth's differ), the reference for pflag's layout of defaults
  it("reproduces docker's global options table", () => {
    const table = flagUsages({
      config: { type: 'string', usage: 'Location of client config files', default: '/root/.docker' },
      context: { type: 'string', short: 'c', usage: 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")' },
      debug: { type: 'bool', short: 'D', usage: 'Enable debug mode' },
      host: { type: 'stringArray', short: 'H', usage: 'Daemon socket to connect to', valueName: 'list' },
      'log-level': { type: 'string', short: 'l', usage: 'Set the logging level ("debug", "info", "warn", "error", "fatal")', default: 'info' },
      tls: { type: 'bool', usage: 'Use TLS; implied by --tlsverify' },
      tlscacert: { type: 'string', usage: 'Trust certs signed only by this CA', default: '/root/.docker/ca.pem' },
      tlscert: { type: 'string', usage: 'Path to TLS certificate file', default: '/root/.docker/cert.pem' },
      tlskey: { type: 'string', usage: 'Path to TLS key file', default: '/root/.docker/key.pem' },
      tlsverify: { type: 'bool', usage: 'Use TLS and verify the remote' },
      version: { type: 'bool', short: 'v', usage: 'Print version information and quit' },
    });
    assert.equal(
      table,
      [
        '      --config string      Location of client config files (default',
        '                           "/root/.docker")',
        '  -c, --context string     Name of the context to use to connect to the',
        '                           daemon (overrides DOCKER_HOST env var and',
        '                           default context set with "docker context use")',
        '  -D, --debug              Enable debug mode',
        '  -H, --host list          Daemon socket to connect to',
        '  -l, --log-level string   Set the logging level ("debug", "info",',
        '                           "warn", "error", "fatal") (default "info")',
        '      --tls                Use TLS; implied by --tlsverify',
        '      --tlscacert string   Trust certs signed only by this CA (default',
        '                           "/root/.docker/ca.pem")',
        '      --tlscert string     Path to TLS certificate file (default',
        '                           "/root/.docker/cert.pem")',
        '      --tlskey string      Path to TLS key file (default',
        '                           "/root/.docker/key.pem")',
        '      --tlsverify          Use TLS and verify the remote',
        '  -v, --version            Print version information and quit',
        '',
      ].join('\n'),
    );
  });

  it("renders berth's `unpause` as `docker unpause --help`: no Options section without visible flags", () => {
    const text = formatUsage('docker unpause', {
      usage: unpause.usage,
      description: unpause.description,
      aliases: ['docker container unpause', 'docker unpause'],
      flags: unpause.flags,
    });
    assert.equal(text, 'Usage:  docker unpause CONTAINER [CONTAINER...]\n\nUnpause all processes within one or more containers\n\nAliases:\n  docker container unpause, docker unpause\n');
    assert.equal(formatUsage('berth version', { description: 'Show the version' }), 'Usage:  berth version\n\nShow the version\n');
  });

  it('names values after the type, valueName or a `backquoted` word, and shows non-zero defaults', () => {
    const table = flagUsages(
      {
        a: { type: 'string' },
        b: { type: 'int', default: 0 },
        c: { type: 'int', default: 10 },
        d: { type: 'duration', default: 90_000_000_000n },
        e: { type: 'duration', default: '0s' },
        f: { type: 'stringArray', default: ['x', 'y,z'] },
        g: { type: 'stringSlice' },
        h: { type: 'bool', default: false },
        i: { type: 'bool', default: true },
        j: { type: 'string', usage: 'Write to `file`' },
        k: { type: 'string', valueName: 'bytes' },
        l: { type: 'string', default: 'say "hi"' },
      },
      { columns: 0 },
    );
    assert.deepEqual(table.split('\n'), [
      '      --a string        ',
      '      --b int           ',
      '      --c int            (default 10)',
      '      --d duration       (default 1m30s)',
      '      --e duration      ',
      '      --f stringArray    (default [x,"y,z"])',
      '      --g strings       ',
      '      --h               ',
      '      --i                (default true)',
      '      --j file          Write to file',
      '      --k bytes         ',
      '      --l string         (default "say \\"hi\\"")',
      '',
    ]);
  });

  it('leaves out hidden and deprecated flags, and deprecated shorthands', () => {
    const table = flagUsages({
      net: { type: 'string', hidden: true },
      old: { type: 'bool', deprecated: 'gone' },
      time: { type: 'int', short: 't', shortDeprecated: 'use --time', usage: 'Seconds' },
      network: { type: 'string', aliases: ['net2'], usage: 'Network' },
    });
    assert.equal(table, '      --network string   Network\n      --time int         Seconds\n');
  });

  it("wraps like pflag on narrow terminals: a block on the next line from column 16", () => {
    const specs = { 'a-very-long-flag-name-indeed': { type: 'string', usage: 'One two three four five six seven eight nine ten eleven twelve' } } satisfies Record<string, FlagSpec>;
    assert.equal(
      flagUsages(specs, { columns: 60 }),
      [
        '      --a-very-long-flag-name-indeed string   ',
        '                One two three four five six seven',
        '                eight nine ten eleven twelve',
        '',
      ].join('\n'),
    );
    // Narrower still: no wrapping at all.
    assert.equal(flagUsages(specs, { columns: 30 }), `      --a-very-long-flag-name-indeed string   ${specs['a-very-long-flag-name-indeed'].usage}\n`);
  });
});

describe('longForms', () => {
  const specs = { file: { type: 'stringArray', short: 'f' }, verbose: { type: 'bool', short: 'v' }, 'project-name': { type: 'string', short: 'p' } } as const;
  it('names each short option by its long name, with its value attached', () => {
    assert.deepEqual(longForms(['-f', 'a.yml', '-fb.yml', '-f=c.yml', '--file', 'd.yml', '-vp', 'x'], specs), ['--file=a.yml', '--file=b.yml', '--file=c.yml', '--file', 'd.yml', '--verbose', '--project-name=x']);
  });
  it("keeps a management command's -f from turning into a subcommand's own -f", () => {
    // the subcommand's table: its own -f (follow) took the letter from --file
    const logsSpecs = { file: { type: 'stringArray' }, follow: { type: 'bool', short: 'f' } } as const;
    const parsed = parseFlags([...longForms(['-f', 'a.yml'], specs), 'web'], logsSpecs);
    assert.deepEqual(parsed.flags.file, ['a.yml']);
    assert.equal(parsed.flags.follow, undefined);
    assert.deepEqual(parsed.args, ['web']);
  });
});
