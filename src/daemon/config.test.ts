import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, reloadConfig } from './config.ts';

const dir = mkdtempSync('/tmp/berth-config-test-');
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

describe('daemon configuration', () => {
  it("has dockerd's defaults, in Berth's paths", () => {
    const { config } = loadConfig(['--config-file', file('empty.json', '')]);
    assert.deepEqual(config.hosts, ['unix:///run/berth/berth.sock']);
    assert.equal(config.dataRoot, '/var/lib/berth');
    assert.equal(config.execRoot, '/run/berth');
    assert.equal(config.pidfile, '/run/berth/berthd.pid');
    assert.equal(config.storageDriver, 'overlay2');
  });

  it('takes the chain prefix, the upload chunk size, PATH and the proxies from the environment only', () => {
    const { config } = loadConfig(['--config-file', file('env.json', '')], {
      BERTH_IPTABLES_CHAIN: 'BT42',
      BERTH_REGISTRY_CHUNK_SIZE: '5242880',
      PATH: '/opt/bin::/usr/bin',
      HTTPS_PROXY: 'http://proxy:3128',
    });
    assert.deepEqual(
      [config.iptablesChain, config.registryChunkSize, config.searchPath, config.httpProxy, config.httpsProxy, config.noProxy],
      ['BT42', 5242880, ['/opt/bin', '/usr/bin'], '', 'http://proxy:3128', ''],
    );
    const plain = loadConfig(['--config-file', file('env2.json', '')], { BERTH_REGISTRY_CHUNK_SIZE: 'lots' }).config;
    assert.deepEqual([plain.iptablesChain, plain.registryChunkSize, plain.searchPath], ['BERTH', 0, []]);
  });

  it('takes flags as dockerd spells them', () => {
    const { config } = loadConfig(['--config-file', file('e2.json', '{}'), '-H', 'unix:///tmp/a.sock', '--host=unix:///tmp/b.sock', '--data-root', '/d', '--exec-root=/e', '-D', '--bip', '10.1.0.1/24', '--log-opt', 'max-size=10m']);
    assert.deepEqual(config.hosts, ['unix:///tmp/a.sock', 'unix:///tmp/b.sock']);
    assert.equal(config.dataRoot, '/d');
    assert.equal(config.execRoot, '/e');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.bip, '10.1.0.1/24');
    assert.deepEqual(config.logOpts, { 'max-size': '10m' });
  });

  it('reads daemon.json keys', () => {
    const p = file('d.json', { 'data-root': '/x', 'insecure-registries': ['reg:5000'], 'log-opts': { 'max-size': '100m' }, 'storage-driver': 'overlay2', 'exec-opts': ['native.cgroupdriver=cgroupfs'] });
    const { config } = loadConfig(['--config-file', p]);
    assert.equal(config.dataRoot, '/x');
    assert.deepEqual(config.insecureRegistries, ['reg:5000']);
    assert.deepEqual(config.logOpts, { 'max-size': '100m' });
  });

  it("rejects what dockerd rejects, with dockerd's words", () => {
    assert.throws(() => loadConfig(['--config-file', file('u.json', { 'no-such-key': 1 })]), /the following directives don't match any configuration option: no-such-key/);
    assert.throws(() => loadConfig(['--config-file', file('b.json', { 'data-root': '/a' }), '--data-root', '/b']), /specified both as a flag and in the configuration file: data-root: \(from flag: "\/b", from file: "\/a"\)/);
    assert.throws(() => loadConfig(['--config-file', file('j.json', '{ nope')]), /unable to configure the Berth daemon with file/);
    assert.throws(() => loadConfig(['--config-file', join(dir, 'missing.json')]), /unable to configure the Berth daemon with file/);
    assert.throws(() => loadConfig(['--config-file', file('t.json', {}), '-H', 'tcp://0.0.0.0:2375']), /refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without TLS/);
    assert.throws(() => loadConfig(['--config-file', file('s.json', {}), '--storage-driver', 'aufs']), /driver not supported: aufs/);
    assert.throws(() => loadConfig(['--nope']), /unknown flag: --nope/);
  });
});

describe('daemon configuration: the registry section', () => {
  it("takes Berth's registry options and refuses unknown ones", () => {
    const { config } = loadConfig(['--config-file', file('reg.json', { registry: { addr: '127.0.0.1:5000', root: '/srv/registry', config: '/etc/berth/registry.yml' } })]);
    assert.deepEqual(config.registry, { addr: '127.0.0.1:5000', root: '/srv/registry', config: '/etc/berth/registry.yml' });
    assert.equal(loadConfig(['--config-file', file('noreg.json', {})]).config.registry, undefined);
    assert.throws(() => loadConfig(['--config-file', file('badreg.json', { registry: { port: 5000 } })]), /unknown registry keys: port/);
    assert.throws(() => loadConfig(['--config-file', file('badreg2.json', { registry: { addr: 5000 } })]), /registry.addr must be a string/);
    assert.throws(() => loadConfig(['--config-file', file('badreg3.json', { registry: 'yes' })]), /"registry" has the wrong type/);
  });
});

describe('daemon configuration: container defaults and security', () => {
  it('takes the keys from daemon.json and as flags', () => {
    const fromFile = loadConfig([
      '--config-file',
      file('gov.json', {
        'default-shm-size': '128M',
        'default-ulimits': { nofile: { Name: 'nofile', Soft: 1024, Hard: 2048 } },
        'default-cgroupns-mode': 'private',
        'default-ipc-mode': 'shareable',
        'seccomp-profile': 'unconfined',
        'no-new-privileges': true,
        'userns-remap': 'default',
        'cgroup-parent': 'mine',
      }),
    ]).config;
    assert.deepEqual(
      [fromFile.defaultShmSize, fromFile.defaultUlimits, fromFile.defaultCgroupnsMode, fromFile.defaultIpcMode, fromFile.seccompProfile, fromFile.noNewPrivileges, fromFile.usernsRemap, fromFile.cgroupParent],
      [128 * 1024 * 1024, { nofile: { Name: 'nofile', Soft: 1024, Hard: 2048 } }, 'private', 'shareable', 'unconfined', true, 'default', 'mine'],
    );
    const fromFlags = loadConfig(['--config-file', file('gov2.json', {}), '--default-shm-size', '1g', '--default-ulimit', 'nproc=10:20', '--default-ulimit', 'nofile=-1', '--no-new-privileges', '--userns-remap', 'alice:staff']).config;
    assert.deepEqual(
      [fromFlags.defaultShmSize, fromFlags.defaultUlimits, fromFlags.noNewPrivileges, fromFlags.usernsRemap],
      [1024 ** 3, { nproc: { Name: 'nproc', Soft: 10, Hard: 20 }, nofile: { Name: 'nofile', Soft: -1, Hard: -1 } }, true, 'alice:staff'],
    );
    const defaults = loadConfig(['--config-file', file('gov3.json', {})]).config;
    assert.deepEqual([defaults.defaultShmSize, defaults.defaultIpcMode, defaults.defaultCgroupnsMode, defaults.seccompProfile], [64 * 1024 * 1024, 'private', '', '']);
  });

  it("refuses bad values with dockerd's words", () => {
    assert.throws(() => loadConfig(['--config-file', file('g1.json', { 'default-ipc-mode': 'host' })]), { message: 'IPC mode "host" is not supported as default value; use "shareable" or "private"' });
    assert.throws(() => loadConfig(['--config-file', file('g2.json', { 'default-ipc-mode': 'bogus' })]), { message: 'default IPC mode setting (bogus) is invalid; use "shareable" or "private"' });
    assert.throws(() => loadConfig(['--config-file', file('g3.json', { 'default-cgroupns-mode': 'shared' })]), { message: 'default cgroup namespace mode (shared) is invalid; use "host" or "private"' });
    assert.throws(() => loadConfig(['--config-file', file('g4.json', {}), '--default-ulimit', 'bogus=1']), { message: 'invalid argument "bogus=1" for "--default-ulimit" flag: invalid ulimit type: bogus' });
    assert.throws(() => loadConfig(['--config-file', file('g5.json', {}), '--default-shm-size', 'lots']), /invalid argument "lots" for "--default-shm-size" flag: invalid size: 'lots'/);
    assert.throws(() => loadConfig(['--config-file', file('g6.json', { 'default-ulimits': { nofile: { Soft: 'many' } } })]), /default-ulimits.nofile/);
  });
});

describe('reloadConfig (SIGHUP)', () => {
  it('takes the reloadable keys the file sets, keeps the rest, and refuses a bad file', () => {
    const dir = mkdtempSync('/tmp/berth-reload-');
    try {
      const file = `${dir}/daemon.json`;
      writeFileSync(file, JSON.stringify({ labels: ['a=1'], bip: '10.9.0.1/24' }));
      const argv = ['--config-file', file, '--data-root', dir, '--registry-mirror', 'https://m.invalid'];
      const current = loadConfig(argv, {}).config;
      assert.equal(current.liveRestore, true);
      assert.equal(current.shutdownTimeout, 15);
      writeFileSync(file, JSON.stringify({ labels: ['b=2'], bip: '10.8.0.1/24', debug: true, 'live-restore': false, 'max-concurrent-uploads': 0 }));
      const next = reloadConfig(current, argv, {});
      assert.deepEqual(next.labels, ['b=2']);
      assert.equal(next.logLevel, 'debug');
      assert.equal(next.liveRestore, false);
      assert.equal(next.maxConcurrentUploads, 5, '0 is the default');
      assert.equal(next.bip, '10.9.0.1/24', 'bip is not reloadable');
      assert.deepEqual(next.registryMirrors, ['https://m.invalid']);
      writeFileSync(file, JSON.stringify({ 'registry-mirrors': ['https://other.invalid'] }));
      assert.throws(() => reloadConfig(next, argv, {}), /specified both as a flag and in the configuration file: registry-mirrors/);
      writeFileSync(file, '{"labels": [');
      assert.throws(() => reloadConfig(next, argv, {}), /unable to configure the Berth daemon with file/);
      writeFileSync(file, JSON.stringify({ 'default-runtime': 'crun' }));
      assert.throws(() => reloadConfig(next, argv, {}), /default runtime crun cannot be found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
