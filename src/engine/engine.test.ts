import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { emptyContainerConfig } from '../types/index.ts';
import { mergeImageConfig } from './create.ts';
import { embeddedResolvConf, renderHosts, renderResolvConf } from './files.ts';
import { buildEnv, startFailureExitCode } from './start.ts';
import { resolveUser } from './user.ts';

describe('mergeImageConfig (dockerd rules)', () => {
  const image = { Env: ['PATH=/usr/bin', 'A=image'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/srv', User: 'app', Labels: { a: 'image', b: 'image' }, ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGQUIT' };

  it('inherits what the user did not set', () => {
    const c = mergeImageConfig({ ...emptyContainerConfig() }, image);
    assert.deepEqual(c.Cmd, ['sh']);
    assert.equal(c.WorkingDir, '/srv');
    assert.equal(c.User, 'app');
    assert.equal(c.StopSignal, 'SIGQUIT');
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {} });
  });

  it('user env entries win by key; image ones follow', () => {
    const c = mergeImageConfig({ ...emptyContainerConfig(), Env: ['A=user', 'B=user'] }, image);
    assert.deepEqual(c.Env, ['A=user', 'B=user', 'PATH=/usr/bin']);
  });

  it('labels merge, the user winning', () => {
    assert.deepEqual(mergeImageConfig({ ...emptyContainerConfig(), Labels: { b: 'user' } }, image).Labels, { a: 'image', b: 'user' });
  });

  it('a user command replaces CMD; a user entrypoint drops the image CMD', () => {
    assert.deepEqual(mergeImageConfig({ ...emptyContainerConfig(), Cmd: ['echo'] }, image).Cmd, ['echo']);
    const ep = mergeImageConfig({ ...emptyContainerConfig(), Entrypoint: ['/bin/x'] }, { ...image, Entrypoint: ['/img'] });
    assert.deepEqual(ep.Entrypoint, ['/bin/x']);
    assert.equal(ep.Cmd, null);
    const keep = mergeImageConfig({ ...emptyContainerConfig() }, { ...image, Entrypoint: ['/img'] });
    assert.deepEqual([keep.Entrypoint, keep.Cmd], [['/img'], ['sh']]);
  });
});

describe('container environment', () => {
  it('starts with PATH and HOSTNAME, TERM for a tty, then the container env replaces or appends', () => {
    assert.deepEqual(buildEnv(['A=1'], { hostname: 'h', home: '/root', tty: false }), [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=h',
      'A=1',
      'HOME=/root',
    ]);
    assert.deepEqual(buildEnv(['PATH=/x', 'HOME=/h'], { hostname: 'h', home: '/root', tty: true }), ['PATH=/x', 'HOSTNAME=h', 'TERM=xterm', 'HOME=/h']);
  });

  it('maps runc failures to exit codes as dockerd does', () => {
    assert.deepEqual(startFailureExitCode('exec: "x": executable file not found in $PATH'), { code: 127, invalidConfig: true });
    assert.deepEqual(startFailureExitCode('exec: "/x": stat /x: no such file or directory'), { code: 127, invalidConfig: true });
    assert.deepEqual(startFailureExitCode('exec: "/etc/passwd": permission denied'), { code: 126, invalidConfig: true });
    assert.deepEqual(startFailureExitCode('cgroup error'), { code: 128, invalidConfig: false });
  });

  it('writes hosts and resolv.conf like dockerd', () => {
    assert.equal(renderHosts([{ ip: '172.17.0.2', names: ['abc', 'web'] }]).split('\n').at(-2), '172.17.0.2\tabc web');
    const host = 'nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n';
    assert.equal(renderResolvConf(host, { dns: [], search: [], options: [] }), 'search corp.example\nnameserver 10.0.0.2\noptions edns0\n');
    assert.equal(renderResolvConf('nameserver 127.0.0.1\n', { dns: [], search: [], options: [] }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    assert.equal(renderResolvConf(host, { dns: ['1.1.1.1'], search: ['a.b'], options: ['ndots:2'] }), 'search a.b\nnameserver 1.1.1.1\noptions ndots:2\n');
  });

  it('names the embedded resolver as dockerd does: search and options kept, ndots:0 unless an ndots is set', () => {
    assert.equal(embeddedResolvConf('nameserver 10.0.0.2\n', '127.0.0.11'), 'nameserver 127.0.0.11\noptions ndots:0\n');
    assert.equal(embeddedResolvConf('search ex.test\nnameserver 10.0.0.2\noptions timeout:3\n', '127.0.0.11'), 'search ex.test\nnameserver 127.0.0.11\noptions timeout:3 ndots:0\n');
    assert.equal(embeddedResolvConf('nameserver 10.0.0.2\noptions ndots:2\n', '127.0.0.11'), 'nameserver 127.0.0.11\noptions ndots:2\n');
    const once = embeddedResolvConf('nameserver 10.0.0.2\n', '127.0.0.11');
    assert.equal(embeddedResolvConf(once, '127.0.0.11'), once, 'a second rewrite changes nothing');
  });
});

describe('resolveUser', () => {
  const root = mkdtempSync('/tmp/berth-user-test-');
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nwheel:x:10:app\n');

  it('finds users and groups by name or number, with supplementary groups', async () => {
    assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [0], home: '/root' });
    assert.deepEqual(await resolveUser(root, 'app'), { uid: 1000, gid: 1000, additionalGids: [1000, 10], home: '/home/app' });
    assert.deepEqual(await resolveUser(root, '1000:wheel'), { uid: 1000, gid: 10, additionalGids: [10], home: '/home/app' });
    assert.deepEqual(await resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [0], home: '/' });
    assert.deepEqual((await resolveUser(root, 'app', ['root'])).additionalGids, [1000, 10, 0]);
  });

  it("names docker's errors", async () => {
    await assert.rejects(resolveUser(root, 'ghost'), /unable to find user ghost: no matching entries in passwd file/);
    await assert.rejects(resolveUser(root, 'app:ghosts'), /unable to find group ghosts: no matching entries in group file/);
  });

  it('does not read a passwd file outside the root through a symlink', async () => {
    const evil = mkdtempSync('/tmp/berth-user-evil-');
    mkdirSync(join(evil, 'etc'));
    symlinkSync('/etc/passwd', join(evil, 'etc/passwd'));
    // inside `evil`, /etc/passwd is that same link again: no file is read, no host user is found
    await assert.rejects(resolveUser(evil, 'root'), /unable to find user root/);
    rmSync(evil, { recursive: true, force: true });
  });
});
