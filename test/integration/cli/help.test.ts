// Help and errors with no daemon to talk to: `berth` alone prints its help, every command and
// subcommand answers --help in docker's layout, a mistyped command gets a suggestion, and a
// daemon that is not running is named in docker's words. The docker CLI 28 on this machine is
// the reference for the layout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { berthBin } from '../../helpers/daemon.ts';
import { dockerBin } from '../../helpers/docker-cli.ts';

const dir = mkdtempSync('/tmp/berth-help-');
after(() => rmSync(dir, { recursive: true, force: true }));
const nowhere = `unix://${join(dir, 'no-daemon.sock')}`;

function run(bin: string, args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, {
    env: { ...process.env, BERTH_HOST: nowhere, DOCKER_HOST: nowhere, BERTH_CONFIG: join(dir, 'berth'), DOCKER_CONFIG: join(dir, 'docker'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const berth = (args: string[], env?: Record<string, string>) => run(berthBin, args, env);

/** The names listed under a heading of a help text ("Commands:", "Management Commands:"). */
function listed(help: string, heading: string): string[] {
  const at = help.indexOf(`\n${heading}\n`);
  if (at < 0) return [];
  const block = help.slice(at + heading.length + 2).split('\n\n')[0]!;
  return block.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
}

describe('berth without a daemon', () => {
  it('prints its help for `berth` alone, as for --help, and succeeds', () => {
    const bare = berth([]);
    assert.equal(bare.code, 0);
    assert.equal(bare.stderr, '');
    assert.match(bare.stdout, /^Usage: {2}berth \[OPTIONS\] COMMAND\n\n.+\n\nCommon Commands:\n {2}run {9}Create and run a new container from an image\n/);
    assert.match(bare.stdout, /\nGlobal Options:\n(.+\n)+\nRun 'berth COMMAND --help' for more information on a command\.\n$/);
    assert.equal(berth(['--help']).stdout, bare.stdout);
    assert.equal(berth(['help']).stdout, bare.stdout);
  });

  it("names the socket it could not reach, in docker's words", () => {
    const ps = berth(['ps']);
    assert.equal(ps.code, 1);
    assert.equal(ps.stderr, `Cannot connect to the Berth daemon at ${nowhere}. Is the berth daemon running?\n`);
    const docker = run(dockerBin, ['ps']);
    assert.equal(ps.stderr, docker.stderr.replace('Docker daemon', 'Berth daemon').replace('docker daemon', 'berth daemon'));
    const tcp = berth(['-H', 'tcp://127.0.0.1:1', 'version', '--format', '{{.Client.Version}}']);
    assert.equal(tcp.code, 1);
    assert.match(tcp.stderr, /^Cannot connect to the Berth daemon at tcp:\/\/127\.0\.0\.1:1\. Is the berth daemon running\?\n$/);
  });

  it('answers --help for every command and subcommand, in docker\'s layout', () => {
    const root = berth(['--help']).stdout;
    const top = [...listed(root, 'Common Commands:'), ...listed(root, 'Commands:')];
    const management = listed(root, 'Management Commands:');
    assert.ok(top.length > 30 && management.includes('context'), root);
    const paths = top.map((c) => [c]);
    for (const m of management) {
      const h = berth([m, '--help']);
      assert.equal(h.code, 0, m);
      // compose takes options of its own before the subcommand, and lists them
      assert.match(h.stdout, new RegExp(`^Usage: {2}berth ${m} (\\[OPTIONS\\] )?COMMAND\\n\\n.+\\n\\n(Options:\\n(.+\\n)+\\n)?Commands:\\n`));
      assert.match(h.stdout, new RegExp(`\\nRun 'berth ${m} COMMAND --help' for more information on a command\\.\\n$`));
      assert.equal(berth([m]).stdout, h.stdout, `berth ${m} alone`);
      for (const sub of listed(h.stdout, 'Commands:')) paths.push([m, sub]);
    }
    for (const path of paths) {
      const h = berth([...path, '--help']);
      assert.equal(h.code, 0, path.join(' '));
      assert.match(h.stdout, new RegExp(`^Usage: {2}berth ${path.join(' ')}( |\\n)`), path.join(' '));
      assert.match(h.stdout.split('\n\n')[1]!, /^\S/, `${path.join(' ')}: a description after the usage`);
      assert.equal(h.stderr, '');
    }
    assert.equal(berth(['help', 'container', 'ls']).stdout, berth(['container', 'ls', '--help']).stdout);
  });

  it("lays a command's help out as the docker CLI does", () => {
    for (const path of [['stop'], ['container', 'ls'], ['context', 'rm'], ['volume', 'inspect']]) {
      const b = berth([...path, '--help']).stdout;
      const d = run(dockerBin, [...path, '--help']).stdout.replaceAll('docker', 'berth');
      const head = (text: string) => text.split('\nOptions:\n')[0];
      assert.equal(head(b).replace(/^(.+\n\n).+\n/, '$1'), head(d).replace(/^(.+\n\n).+\n/, '$1'), path.join(' '));
    }
  });

  it('suggests the closest command for a typo, and says how to get help', () => {
    const top = berth(['stpo']);
    assert.equal(top.code, 1);
    assert.equal(top.stderr, "berth: unknown command: berth stpo\n\nDid you mean this?\n\tstop\n\nRun 'berth --help' for more information\n");
    const sub = berth(['volume', 'lss']);
    assert.equal(sub.code, 1);
    assert.equal(sub.stderr, "berth: unknown command: berth volume lss\n\nDid you mean this?\n\tls\n\nUsage:  berth volume\n\nRun 'berth volume --help' for more information\n");
    assert.match(berth(['contxt']).stderr, /Did you mean this\?\n\tcontext\n/);
    assert.equal(berth(['frobnicate']).stderr, "berth: unknown command: berth frobnicate\n\nRun 'berth --help' for more information\n");
  });

  it('words flag and argument errors as docker 28, with its exit statuses', () => {
    for (const args of [['ps', '--bogus'], ['stop'], ['rename', 'x'], ['version', 'extra'], ['--bogus']]) {
      const b = berth(args);
      const d = run(dockerBin, args);
      assert.equal(b.code, d.code, args.join(' '));
      assert.equal(b.stderr, d.stderr.replaceAll('docker', 'berth'), args.join(' '));
    }
  });
});
