// POST /build's parameters as dockerd reads them, and what Berth refuses rather than ignores.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildQuery, buildSecretsHeader, parseBuildParams } from './build.ts';
import { readQuery } from './query.ts';

const parse = (query: string, headers: Record<string, string> = {}) => parseBuildParams(readQuery(buildQuery, new URLSearchParams(query)), headers);

describe('parseBuildParams', () => {
  it("dockerd's defaults: rm on, forcerm implies rm, no tags, the default Dockerfile", () => {
    const p = parse('');
    assert.equal(p.rm, true);
    assert.deepEqual(p.tags, []);
    assert.equal(p.dockerfile, '');
    assert.equal(parse('rm=0').rm, false);
    assert.equal(parse('rm=0&forcerm=1').rm, true);
  });

  it('repeated t and extrahosts, JSON buildargs (null: passed without a value), labels and cachefrom', () => {
    const p = parse(
      `t=a:1&t=b&extrahosts=h1:1.2.3.4&extrahosts=h2:5.6.7.8&buildargs=${encodeURIComponent('{"A":"1","B":null}')}&labels=${encodeURIComponent('{"l":"v"}')}&cachefrom=${encodeURIComponent('["x:1"]')}`,
    );
    assert.deepEqual(p.tags, ['a:1', 'b']);
    assert.deepEqual(p.extraHosts, ['h1:1.2.3.4', 'h2:5.6.7.8']);
    assert.deepEqual([...p.buildArgs], [['A', '1'], ['B', null]]);
    assert.deepEqual(p.labels, { l: 'v' });
    assert.deepEqual(p.cacheFrom, ['x:1']);
    assert.throws(() => parse('buildargs=%7Bnot'), /invalid buildargs value/);
  });

  it('resources for the RUN containers', () => {
    const p = parse('memory=1048576&memswap=-1&cpushares=512&cpusetcpus=0&cpuperiod=100000&cpuquota=50000&shmsize=67108864');
    assert.deepEqual(p.resources, { Memory: 1048576, MemorySwap: -1, CpuShares: 512, CpuPeriod: 100000, CpuQuota: 50000, CpusetCpus: '0', ShmSize: 67108864 });
    assert.throws(() => parse('shmsize=0'), /The shm size must be greater than 0/);
  });

  it('refuses what it would not carry out: BuildKit, squash, security options, outputs, sessions', () => {
    assert.throws(() => parse('version=2'), /BuildKit is not supported/);
    assert.throws(() => parse('squash=1'), /squash is only supported with experimental mode/);
    assert.throws(() => parse('securityopt=seccomp=unconfined'), /does not support setting security options on build/);
    assert.throws(() => parse('outputs=type%3Dlocal'), /outputs are only supported with BuildKit/);
    assert.throws(() => parse('session=abc'), /not supported/);
    assert.throws(() => parse('isolation=hyperv'), /Unsupported isolation: "hyperv"/);
  });

  it('reads X-Registry-Config and the secrets header', () => {
    const cfg = Buffer.from(JSON.stringify({ 'registry.example': { username: 'u', password: 'p' } })).toString('base64');
    const secrets = Buffer.from(JSON.stringify({ token: Buffer.from('s3cr3t').toString('base64') })).toString('base64');
    const p = parse('', { 'x-registry-config': cfg, [buildSecretsHeader]: secrets });
    assert.deepEqual(p.registryConfig, { 'registry.example': { username: 'u', password: 'p' } });
    assert.equal(p.secrets.get('token')?.toString(), 's3cr3t');
    assert.throws(() => parse('', { [buildSecretsHeader]: '!!!' }), /invalid X-Berth-Build-Secrets header/);
  });
});
