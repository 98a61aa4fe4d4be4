// Authentication and per-repository permissions of `berth registry serve`, with real clients:
// htpasswd Basic auth with access rules (a read-only user, anonymous pulls of public/*), the
// built-in token service, and an external token service trusted through rootcertbundle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { dockerBin, dockerEnv } from '../../helpers/docker-cli.ts';
import { startTokenServer } from '../distribution/registry-helpers.ts';
import { errorCode, htpasswdLine, request, startBerthRegistry, type BerthRegistry } from './helpers.ts';

let d: TestDaemon;
const stops: Array<() => Promise<void>> = [];

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const docker = (args: string[], input?: string) => {
  const r = spawnSync(dockerBin, args, { env: dockerEnv(d), input: input ?? '', encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};
const dockerOk = (args: string[], input?: string) => {
  const r = docker(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.out}`);
  return r.out;
};

const accessYaml = `access:
  groups:
    devs: [alice]
    readers: [carol]
  rules:
    - repository: "team/**"
      groups: [devs]
      actions: [pull, push, delete]
    - repository: "**"
      groups: [readers]
      actions: [pull]
    - repository: "public/*"
      groups: [devs]
      actions: [pull, push]
    - repository: "public/*"
      anonymous: true
      actions: [pull]
`;

before(async () => {
  d = await startDaemon();
  writeFileSync(join(d.base, 'htpasswd'), `${htpasswdLine('alice', 'alice-pw')}\n${htpasswdLine('carol', 'carol-pw')}\n`);
  const r = d.berth(['pull', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  for (const s of stops) await s();
  await d?.cleanup();
});

describe('htpasswd with access rules', () => {
  let reg: BerthRegistry;
  before(async () => {
    reg = await startBerthRegistry(d.base, { name: 'reg-htpasswd', config: `storage:\n  delete:\n    enabled: true\nauth:\n  htpasswd:\n    realm: team-realm\n    path: ${join(d.base, 'htpasswd')}\n${accessYaml}` });
    stops.push(() => reg.stop());
  });

  it('challenges anonymous clients with Basic, and refuses a wrong password', async () => {
    const a = await request(`${reg.url}/v2/`);
    assert.equal(a.status, 401);
    assert.equal(a.headers.get('www-authenticate'), 'Basic realm="team-realm"');
    assert.equal(errorCode(a), 'UNAUTHORIZED');
    assert.equal((await request(`${reg.url}/v2/`, { headers: { Authorization: basic('alice', 'nope') } })).status, 401);
    assert.equal((await request(`${reg.url}/v2/`, { headers: { Authorization: basic('alice', 'alice-pw') } })).status, 200);
  });

  it('lets a developer push and a read-only user only pull (docker CLI)', () => {
    const ref = `${reg.host}/team/app:1`;
    dockerOk(['login', '-u', 'alice', '--password-stdin', reg.host], 'alice-pw');
    dockerOk(['tag', 'busybox', ref]);
    assert.match(dockerOk(['push', ref]), /1: digest: sha256:/);
    dockerOk(['tag', 'busybox', `${reg.host}/public/bb:1`]);
    dockerOk(['push', `${reg.host}/public/bb:1`]);
    // nowhere else
    dockerOk(['tag', 'busybox', `${reg.host}/other/bb:1`]);
    assert.match(docker(['push', `${reg.host}/other/bb:1`]).out, /denied: requested access to the resource is denied/);
    dockerOk(['logout', reg.host]);

    dockerOk(['login', '-u', 'carol', '--password-stdin', reg.host], 'carol-pw');
    dockerOk(['rmi', ref]);
    dockerOk(['pull', ref]);
    dockerOk(['tag', 'busybox', `${reg.host}/team/app:carol`]);
    const denied = docker(['push', `${reg.host}/team/app:carol`]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.out, /denied: requested access to the resource is denied/);
    dockerOk(['logout', reg.host]);
  });

  it('lets anonymous clients pull public/* only, and filters the catalog by what a user may pull', async () => {
    assert.equal((await request(`${reg.url}/v2/public/bb/manifests/1`)).status, 200);
    const team = await request(`${reg.url}/v2/team/app/manifests/1`);
    assert.equal(team.status, 401);
    assert.equal((await request(`${reg.url}/v2/public/bb/manifests/1`, { method: 'DELETE' })).status, 401);
    const carolDelete = await request(`${reg.url}/v2/team/app/manifests/1`, { method: 'DELETE', headers: { Authorization: basic('carol', 'carol-pw') } });
    assert.equal(carolDelete.status, 403);
    assert.equal(errorCode(carolDelete), 'DENIED');
    const cat = await request(`${reg.url}/v2/_catalog`, { headers: { Authorization: basic('carol', 'carol-pw') } });
    assert.deepEqual(cat.json<{ repositories: string[] }>().repositories, ['public/bb', 'team/app']);
    const anon = await request(`${reg.url}/v2/_catalog`);
    assert.deepEqual(anon.json<{ repositories: string[] }>().repositories, ['public/bb']);
    const aliceDelete = await request(`${reg.url}/v2/team/app/manifests/1`, { method: 'DELETE', headers: { Authorization: basic('alice', 'alice-pw') } });
    assert.equal(aliceDelete.status, 202);
  });
});

describe('the built-in token service', () => {
  let reg: BerthRegistry;
  before(async () => {
    reg = await startBerthRegistry(d.base, {
      name: 'token',
      config: `auth:\n  token:\n    service: berth-registry\n    issuer: berth-registry\n    signingkey: ${join(d.base, 'token-key', 'key.pem')}\n    htpasswd: ${join(d.base, 'htpasswd')}\n${accessYaml}`,
    });
    stops.push(() => reg.stop());
  });

  it('creates its signing key (0600) and challenges with a Bearer realm on itself', async () => {
    assert.ok(existsSync(join(d.base, 'token-key', 'key.pem')));
    assert.equal(statSync(join(d.base, 'token-key', 'key.pem')).mode & 0o777, 0o600);
    const a = await request(`${reg.url}/v2/team/app/tags/list`);
    assert.equal(a.status, 401);
    assert.equal(a.headers.get('www-authenticate'), `Bearer realm="${reg.url}/auth/token",service="berth-registry",scope="repository:team/app:pull"`);
  });

  it('issues tokens scoped to what the user may do', async () => {
    const token = (auth: string | undefined, scope: string) => request(`${reg.url}/auth/token?service=berth-registry&scope=${encodeURIComponent(scope)}`, { headers: auth ? { Authorization: auth } : {} });
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()) as { access: Array<{ actions: string[] }>; sub: string };
    const carol = await token(basic('carol', 'carol-pw'), 'repository:team/app:pull,push');
    assert.equal(carol.status, 200);
    const c = claims(carol.json<{ token: string }>().token);
    assert.equal(c.sub, 'carol');
    assert.deepEqual(c.access[0].actions, ['pull']);
    assert.deepEqual(claims((await token(basic('alice', 'alice-pw'), 'repository:team/app:pull,push')).json<{ token: string }>().token).access[0].actions, ['pull', 'push']);
    assert.deepEqual(claims((await token(undefined, 'repository:team/app:pull')).json<{ token: string }>().token).access, []);
    assert.equal((await token(basic('carol', 'wrong'), 'repository:team/app:pull')).status, 401);
    // a token for pull does not push
    const t = carol.json<{ token: string }>().token;
    const push = await request(`${reg.url}/v2/team/app/blobs/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${t}` } });
    assert.equal(push.status, 401);
    assert.match(push.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    // a forged token is refused
    const [h, , s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...c, access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }] })).toString('base64url')}.${s}`;
    assert.equal((await request(`${reg.url}/v2/team/app/blobs/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${forged}` } })).status, 401);
  });

  it('works with docker login, push and pull, and keeps read-only users read-only', () => {
    const bad = docker(['login', '-u', 'alice', '--password-stdin', reg.host], 'bad');
    assert.notEqual(bad.code, 0);
    dockerOk(['login', '-u', 'alice', '--password-stdin', reg.host], 'alice-pw');
    dockerOk(['tag', 'busybox', `${reg.host}/team/tok:1`]);
    assert.match(dockerOk(['push', `${reg.host}/team/tok:1`]), /1: digest: sha256:/);
    dockerOk(['logout', reg.host]);
    dockerOk(['login', '-u', 'carol', '--password-stdin', reg.host], 'carol-pw');
    dockerOk(['rmi', `${reg.host}/team/tok:1`]);
    assert.match(dockerOk(['pull', `${reg.host}/team/tok:1`]), /Digest: sha256:/);
    dockerOk(['tag', 'busybox', `${reg.host}/team/tok:2`]);
    const denied = docker(['push', `${reg.host}/team/tok:2`]);
    assert.notEqual(denied.code, 0, denied.out);
    assert.match(denied.out, /denied|unauthorized|insufficient_scope/);
    dockerOk(['logout', reg.host]);
  });
});

describe('an external token service (rootcertbundle)', () => {
  it('accepts its RS256 tokens (x5c chain), and berth pushes and pulls through it', async () => {
    const tokens = await startTokenServer(d.base, { bob: 'bob-pw' });
    stops.push(() => tokens.stop());
    const reg = await startBerthRegistry(d.base, {
      name: 'external-token',
      config: `auth:\n  token:\n    realm: ${tokens.realm}\n    service: berth-test-registry\n    issuer: berth-test-issuer\n    rootcertbundle: ${tokens.certPath}\n`,
    });
    stops.push(() => reg.stop());
    const a = await request(`${reg.url}/v2/x/tags/list`);
    assert.equal(a.headers.get('www-authenticate'), `Bearer realm="${tokens.realm}",service="berth-test-registry",scope="repository:x:pull"`);
    // the token server runs in this process: the CLI must not block its event loop (berthAsync)
    const login = await d.berthAsync(['login', '-u', 'bob', '--password-stdin', reg.host], { input: 'bob-pw' });
    assert.equal(login.code, 0, login.stderr);
    const ref = `${reg.host}/ext/bb:1`;
    assert.equal(d.berth(['tag', 'busybox', ref]).code, 0);
    const push = await d.berthAsync(['push', ref]);
    assert.equal(push.code, 0, push.stderr);
    assert.ok(tokens.requests.some((q) => decodeURIComponent(q).includes('repository:ext/bb:pull,push')), tokens.requests.join('\n'));
    assert.equal(d.berth(['rmi', ref]).code, 0);
    const pull = await d.berthAsync(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr);
    // anonymous tokens of this service grant pull only
    assert.equal(d.berth(['logout', reg.host]).code, 0);
    const anonPush = await d.berthAsync(['push', ref]);
    assert.notEqual(anonPush.code, 0);
    assert.match(anonPush.stderr, /unauthorized|denied|authentication required/);
  });
});
