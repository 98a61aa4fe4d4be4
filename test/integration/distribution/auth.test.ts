// Registry authentication against real docker-registry instances: htpasswd Basic auth and token
// auth (with a token server written in the test), berth login/logout and the credentials file.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { startRegistry, startTokenServer, type RunningRegistry } from './registry-helpers.ts';

let d: TestDaemon;
let basic: RunningRegistry;
let tokenReg: RunningRegistry;
let tokens: Awaited<ReturnType<typeof startTokenServer>>;
let configDir: string;

const berth = (args: string[], input?: string) => d.berth(['--config', configDir, ...args], { ...(input !== undefined ? { input } : {}), timeout: 60_000 });
const ok = (args: string[], input?: string) => {
  const r = berth(args, input);
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

// The token server runs in this process: commands talking to it must not block the event loop.
const berthA = (args: string[], input?: string) => d.berthAsync(['--config', configDir, ...args], { ...(input !== undefined ? { input } : {}) });
const okA = async (args: string[], input?: string) => {
  const r = await berthA(args, input);
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

before(async () => {
  d = await startDaemon();
  configDir = join(d.base, 'client-config');
  basic = await startRegistry(d.base, { kind: 'htpasswd', user: 'alice', password: 's3cret' });
  tokens = await startTokenServer(d.base, { bob: 'hunter2' });
  tokenReg = await startRegistry(d.base, { kind: 'token', realm: tokens.realm, certPath: tokens.certPath });
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await tokenReg?.stop();
  await tokens?.stop();
  await basic?.stop();
  await d?.cleanup();
});

describe('htpasswd Basic auth', () => {
  it('refuses anonymous pushes and pulls with docker\'s messages', () => {
    ok(['tag', 'busybox', `${basic.host}/team/app:1`]);
    const push = berth(['push', `${basic.host}/team/app:1`]);
    assert.equal(push.code, 1);
    assert.match(push.stderr, /no basic auth credentials/);
    const pull = berth(['pull', `${basic.host}/team/app:1`]);
    assert.equal(pull.code, 1);
    assert.match(pull.stderr, /no basic auth credentials/);
  });

  it('login with a wrong password fails and stores nothing', () => {
    const r = berth(['login', '-u', 'alice', '--password-stdin', basic.host], 'wrong\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Error response from daemon: login attempt to http://${basic.host}/v2/ failed with status: 401 Unauthorized`));
    assert.throws(() => statSync(join(configDir, 'config.json')));
  });

  it('login stores base64 credentials (mode 0600); push and pull then work; logout removes them', () => {
    const r = ok(['login', '-u', 'alice', '--password-stdin', basic.host], 's3cret\n');
    assert.match(r.stdout, /^Login Succeeded$/m);
    const file = join(configDir, 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(cfg.auths[basic.host].auth, 'base64').toString(), 'alice:s3cret');
    assert.match(ok(['push', `${basic.host}/team/app:1`]).stdout, /1: digest: sha256:[0-9a-f]{64} size: \d+/);
    ok(['rmi', `${basic.host}/team/app:1`]);
    assert.match(ok(['pull', `${basic.host}/team/app:1`]).stdout, /Status: Downloaded newer image/);
    const p = berth(['login', '-u', 'alice', '-p', 's3cret', basic.host]);
    assert.equal(p.code, 0);
    assert.match(p.stderr, /WARNING! Using --password via the CLI is insecure/);
    assert.equal(ok(['logout', basic.host]).stdout, `Removing login credentials for ${basic.host}\n`);
    const after = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, unknown> };
    assert.equal(after.auths[basic.host], undefined);
    assert.equal(ok(['logout', basic.host]).stdout, `Not logged in to ${basic.host}\n`);
  });

  it('POST /auth answers like dockerd', async () => {
    const good = await d.api('POST', '/auth', { username: 'alice', password: 's3cret', serveraddress: basic.host });
    assert.equal(good.status, 200);
    assert.deepEqual(JSON.parse(good.body), { Status: 'Login Succeeded', IdentityToken: '' });
    const bad = await d.api('POST', '/auth', { username: 'alice', password: 'nope', serveraddress: basic.host });
    assert.equal(bad.status, 401);
  });
});

describe('token auth', async () => {
  it('anonymous pull of a missing repository: pull access denied / unauthorized', async () => {
    const r = await berthA(['pull', `${tokenReg.host}/team/none:1`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: (manifest for .* not found|repository .* not found|pull access denied|unauthorized)/);
  });

  it('anonymous push is refused with unauthorized', async () => {
    await okA(['tag', 'busybox', `${tokenReg.host}/team/tok:1`]);
    const r = await berthA(['push', `${tokenReg.host}/team/tok:1`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unauthorized: authentication required/);
  });

  it('login, push and pull with bearer tokens', async () => {
    const bad = await berthA(['login', '-u', 'bob', '--password-stdin', tokenReg.host], 'nope\n');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unauthorized/);
    await okA(['login', '-u', 'bob', '--password-stdin', tokenReg.host], 'hunter2\n');
    assert.match((await okA(['push', `${tokenReg.host}/team/tok:1`])).stdout, /: Pushed\n/);
    await okA(['rmi', `${tokenReg.host}/team/tok:1`]);
    assert.match((await okA(['pull', `${tokenReg.host}/team/tok:1`])).stdout, /Digest: sha256:/);
    // the token server saw scoped requests with the account
    assert.ok(tokens.requests.some((q) => q.includes('scope=repository%3Ateam%2Ftok%3Apull%2Cpush') && q.includes('account=bob')), tokens.requests.join('\n'));
    // anonymous pulls are granted by this token server
    await okA(['logout', tokenReg.host]);
    await okA(['rmi', `${tokenReg.host}/team/tok:1`]);
    assert.match((await okA(['pull', `${tokenReg.host}/team/tok:1`])).stdout, /Status: Downloaded newer image/);
  });
});
