// The docker CLI on what third-party clients also call: plugins (none, and none installable), swarm
// mode (a node in no swarm), history of committed images, and a registry that does not answer —
// each message and exit status as the docker CLI prints them against dockerd 20.10.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst } from '../helpers/docker-cli.ts';
import { freePort } from '../integration/distribution/registry-helpers.ts';

let d: TestDaemon;

const docker = (args: string[]): RunResult => dockerAgainst(d, args);
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const fails = (args: string[], code: number, stderr: string | RegExp) => {
  const r = docker(args);
  assert.equal(r.code, code, `docker ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  if (typeof stderr === 'string') assert.equal(r.stderr, stderr);
  else assert.match(r.stderr, stderr);
};

const noManager = 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.\n';

before(async () => {
  d = await startDaemon();
});
after(async () => {
  await d?.cleanup();
});

describe('docker plugin', () => {
  it('lists no plugins and knows none by name', () => {
    assert.equal(ok(['plugin', 'ls']), 'ID        NAME      DESCRIPTION   ENABLED\n');
    for (const verb of ['inspect', 'rm', 'enable', 'disable']) fails(['plugin', verb, 'sshfs'], 1, /^(\[\]\n)?Error response from daemon: plugin "sshfs" not found\n$/);
  });

  it('refuses to install one', () => {
    fails(['plugin', 'install', '--grant-all-permissions', 'vieux/sshfs'], 1, 'Error response from daemon: plugins are not supported by Berth\n');
  });
});

describe('docker swarm, node, service, secret, config', () => {
  it('answer as a node that is in no swarm', () => {
    fails(['swarm', 'leave'], 1, 'Error response from daemon: This node is not part of a swarm\n');
    for (const args of [['node', 'ls'], ['service', 'ls'], ['secret', 'ls'], ['config', 'ls']]) fails(args, 1, noManager);
    fails(['swarm', 'unlock-key'], 1, `could not fetch unlock key: ${noManager}`);
    fails(['swarm', 'init'], 1, 'Error response from daemon: swarm mode is not supported by Berth\n');
    assert.equal(ok(['info', '--format', '{{.Swarm.LocalNodeState}}']), 'inactive\n');
    assert.match(ok(['info']), /^ Swarm: inactive$/m);
  });
});

describe('docker history of committed images', () => {
  it('shows the parent images\' ids instead of <missing>', () => {
    ok(['pull', 'busybox']);
    const base = ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
    ok(['run', '--name', 'h1', 'busybox', 'sh', '-c', 'echo hi > /hi']);
    const child = ok(['commit', '-m', 'first', 'h1', 'committed:1']).trim();
    assert.equal(ok(['image', 'inspect', '-f', '{{.Parent}}', 'committed:1']), `${base}\n`);
    const short = (id: string) => id.replace('sha256:', '').slice(0, 12);
    assert.deepEqual(ok(['history', '--format', '{{.ID}}', 'committed:1']).trim().split('\n'), [short(child), short(base), '<missing>']);
    assert.equal(ok(['history', '--no-trunc', '--format', '{{.ID}}', 'committed:1']).split('\n')[1], base);
  });
});

describe('a registry that does not answer', () => {
  it('fails pull with exit 1 and run with 125, and the dial error in Go\'s words', async () => {
    const port = await freePort();
    const refused = new RegExp(`Error response from daemon: Get "http://127\\.0\\.0\\.1:${port}/v2/[^"]*": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused\\n`);
    fails(['pull', `127.0.0.1:${port}/x`], 1, refused);
    fails(['run', '--rm', `127.0.0.1:${port}/x`], 125, refused);
  });
});
