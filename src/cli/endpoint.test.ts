import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeConfigFile } from './config-file.ts';
import { ContextNotFound, ContextStore } from './context-store.ts';
import { currentContextName, defaultHost, resolveEndpoint } from './endpoint.ts';
import { StatusError } from './errors.ts';

const base = mkdtempSync(join(tmpdir(), 'berth-endpoint-'));
after(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
async function configDir(current?: string): Promise<string> {
  const dir = join(base, `c${n++}`);
  const store = new ContextStore(dir);
  await store.write({ Name: 'a', Metadata: {}, Endpoints: { docker: { Host: 'unix:///a.sock', SkipTLSVerify: false } } });
  await store.write({ Name: 'b', Metadata: { Description: 'b' }, Endpoints: { docker: { Host: 'unix:///b.sock', SkipTLSVerify: false } } });
  await writeConfigFile(dir, { auths: { 'r.example': { auth: 'eDp5' } }, ...(current ? { currentContext: current } : {}) });
  return dir;
}

describe('choosing the daemon, with docker precedence', () => {
  const resolve = (flags: Record<string, unknown>, env: Record<string, string>, dir: string) => resolveEndpoint({ flags, env, configDir: dir });

  it('--context first, then -H, BERTH_HOST, BERTH_CONTEXT, the current context, the default socket', async () => {
    const dir = await configDir('a');
    assert.equal(resolve({ context: 'b' }, { BERTH_HOST: 'unix:///env.sock', BERTH_CONTEXT: 'a' }, dir).host, 'unix:///b.sock');
    assert.equal(resolve({ host: ['unix:///flag.sock'] }, { BERTH_CONTEXT: 'b' }, dir).host, 'unix:///flag.sock');
    assert.equal(resolve({}, { BERTH_HOST: 'unix:///env.sock', BERTH_CONTEXT: 'b' }, dir).host, 'unix:///env.sock');
    assert.equal(resolve({}, { BERTH_CONTEXT: 'b' }, dir).host, 'unix:///b.sock');
    assert.equal(resolve({}, {}, dir).host, 'unix:///a.sock');
    assert.equal(resolve({}, {}, await configDir()).host, defaultHost);
    assert.equal(currentContextName({ flags: {}, env: { BERTH_HOST: 'x:1' }, configDir: dir }), 'default');
    assert.equal(resolve({ host: ['10.0.0.1:2376'] }, {}, dir).host, 'tcp://10.0.0.1:2376');
  });

  it("refuses --context with -H, an unknown context, and two -H, in docker's words", async () => {
    const dir = await configDir();
    assert.throws(() => resolve({ context: 'a', host: ['unix:///x'] }, {}, dir), (e: StatusError) => e.message === 'conflicting options: cannot specify both --host and --context');
    assert.throws(() => resolve({}, { BERTH_CONTEXT: 'nope' }, dir), (e: StatusError) => /^Failed to initialize: unable to resolve docker endpoint: context "nope": context not found: open .*\/contexts\/meta\/[0-9a-f]{64}\/meta\.json: no such file or directory$/.test(e.message));
    assert.throws(() => resolve({ host: ['unix:///1', 'unix:///2'] }, {}, dir), /Specify only one -H/);
  });

  it("uses a context's TLS material, and the default context's files only where they exist", async () => {
    const dir = await configDir();
    const store = new ContextStore(dir);
    await store.write({ Name: 'tls', Metadata: {}, Endpoints: { docker: { Host: 'tcp://h:2376', SkipTLSVerify: false } } }, { 'ca.pem': Buffer.from('CA') });
    const ep = resolve({ context: 'tls' }, {}, dir);
    assert.equal(ep.tls?.verify, true);
    assert.equal(readFileSync(ep.tls!.ca!, 'utf8'), 'CA');
    assert.equal(ep.tls?.cert, undefined);
    assert.equal((statSync(ep.tls!.ca!).mode & 0o777).toString(8), '600');
    // no material, no TLS: plain HTTP over TCP, as docker does
    await store.write({ Name: 'plain', Metadata: {}, Endpoints: { docker: { Host: 'tcp://h:2375', SkipTLSVerify: false } } });
    assert.equal(resolve({ context: 'plain' }, {}, dir).tls, undefined);
    writeFileSync(join(dir, 'ca.pem'), 'X');
    const d = resolve({ tlsverify: true, host: ['tcp://h:2376'] }, {}, dir);
    assert.deepEqual(d.tls, { ca: join(dir, 'ca.pem'), verify: true });
    assert.deepEqual(resolve({ tls: true, host: ['tcp://h:2376'] }, {}, dir).tls, { ca: join(dir, 'ca.pem'), verify: false });
    assert.equal(resolve({}, { BERTH_TLS_VERIFY: '1', BERTH_HOST: 'tcp://h:1', BERTH_CERT_PATH: '/nonexistent' }, dir).tls?.ca, undefined);
    assert.equal(resolveEndpoint({ flags: { tlsverify: true, host: ['tcp://h:1'] }, env: {}, configDir: dir, extraCaFile: '/x.pem' }).tls?.extraCaFile, '/x.pem');
  });
});

describe('the context store', () => {
  it("keeps docker's layout: meta/<sha256 of the name>/meta.json and tls/<sha256>/docker/", async () => {
    const dir = await configDir();
    const store = new ContextStore(dir);
    const meta = JSON.parse(readFileSync(join(dir, 'contexts/meta/ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb/meta.json'), 'utf8'));
    assert.deepEqual(meta, { Name: 'a', Metadata: {}, Endpoints: { docker: { Host: 'unix:///a.sock', SkipTLSVerify: false } } });
    assert.deepEqual(store.list().map((c) => c.Name), ['a', 'b']);
    await store.write({ Name: 'a', Metadata: {}, Endpoints: { docker: { Host: 'tcp://x:1', SkipTLSVerify: true } } }, { 'cert.pem': Buffer.from('C'), 'key.pem': Buffer.from('K') });
    assert.deepEqual(store.tlsFiles('a'), ['cert.pem', 'key.pem']);
    await store.write({ Name: 'a', Metadata: {}, Endpoints: { docker: { Host: 'tcp://x:1', SkipTLSVerify: true } } });
    assert.deepEqual(store.tlsFiles('a'), [], 'the material of a rewrite replaces the old');
    store.remove('a');
    assert.throws(() => store.read('a'), ContextNotFound);
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).auths['r.example'].auth, 'eDp5', 'config.json keeps its other keys');
  });
});
