// One berth CLI driving three daemons through contexts: a local berthd on a unix socket, a
// berthd on TCP with TLS (--tlsverify, its own CA, client certificates), and a reference
// dockerd 20.10 — with docker's precedence between --context, -H, BERTH_HOST, BERTH_CONTEXT and
// `context use`, and export/import. It also runs bin/berth as users do, with NODE_EXTRA_CA_CERTS
// set: bin/berth moves that variable aside for start-up speed, and a TLS daemon verified only by
// a CA named there must still be trusted.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { berthBin, startDaemon, type RunResult, type TestDaemon } from '../../helpers/daemon.ts';
import { startRefDockerd, type RefDockerd } from '../transfer/ref-dockerd.ts';

let local: TestDaemon;
let tlsd: TestDaemon;
let ref: RefDockerd;
let dir: string;
let port: number;
const pki: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa', string> = {} as never;

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by that CA. */
function makePki(): void {
  const p = (f: string) => join(dir, f);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=berth test CA']);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca-key.pem', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=another CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '2', '-extfile', 'server.ext']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client-key.pem', '-out', 'client.csr', '-subj', '/CN=client']);
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'client-cert.pem', '-days', '2', '-extfile', 'client.ext']);
  Object.assign(pki, { ca: p('ca.pem'), serverCert: p('server-cert.pem'), serverKey: p('server-key.pem'), clientCert: p('client-cert.pem'), clientKey: p('client-key.pem'), otherCa: p('other-ca.pem') });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

before(async () => {
  dir = mkdtempSync('/tmp/berth-contexts-');
  makePki();
  port = await freePort();
  local = await startDaemon();
  tlsd = await startDaemon({ extraArgs: ['-H', `tcp://127.0.0.1:${port}`, '--tlscert', pki.serverCert, '--tlskey', pki.serverKey, '--tlsverify', '--tlscacert', pki.ca] });
  ref = await startRefDockerd();
});
after(async () => {
  await local?.cleanup();
  await tlsd?.cleanup();
  await ref?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** bin/berth with its own config directory and nothing from the environment choosing a daemon. */
function berth(args: string[], env: Record<string, string> = {}, input?: string): RunResult {
  const base = { ...process.env };
  for (const k of ['BERTH_HOST', 'BERTH_CONTEXT', 'BERTH_TLS_VERIFY', 'BERTH_CERT_PATH', 'NODE_EXTRA_CA_CERTS']) delete base[k];
  const r = spawnSync(berthBin, args, { env: { ...base, BERTH_CONFIG: join(dir, 'config'), ...env }, encoding: 'utf8', input: input ?? '', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], env: Record<string, string> = {}): string {
  const r = berth(args, env);
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const serverVersion = (args: string[] = [], env: Record<string, string> = {}) => ok([...args, 'version', '--format', '{{.Server.Version}}'], env).trim();

describe('contexts', () => {
  it('create contexts for a unix socket, a TLS daemon and a dockerd, in docker\'s layout', () => {
    assert.equal(ok(['context', 'create', 'local', '--description', 'the local berthd', '--docker', `host=${local.host}`]), 'local\n');
    ok(['context', 'create', 'secure', '--docker', `host=tcp://127.0.0.1:${port},ca=${pki.ca},cert=${pki.clientCert},key=${pki.clientKey}`]);
    ok(['context', 'create', 'dockerd', '--docker', `host=${ref.host}`]);
    const ls = ok(['context', 'ls']);
    assert.match(ls, /^NAME\s+DESCRIPTION\s+DOCKER ENDPOINT\s+ERROR\n/);
    assert.match(ls, /\ndefault \*\s+Current DOCKER_HOST based configuration\s+unix:\/\/\/run\/berth\/berth\.sock/);
    assert.match(ls, new RegExp(`\\nlocal\\s+the local berthd\\s+${local.host}`));
    assert.match(ls, new RegExp(`\\nsecure\\s+tcp://127\\.0\\.0\\.1:${port}`));
    const inspect = JSON.parse(ok(['context', 'inspect', 'secure']))[0];
    assert.deepEqual(inspect.TLSMaterial, { docker: ['ca.pem', 'cert.pem', 'key.pem'] });
    assert.ok(existsSync(join(inspect.Storage.TLSPath, 'docker', 'key.pem')));
    assert.ok(inspect.Storage.MetadataPath.startsWith(join(dir, 'config', 'contexts', 'meta')));
  });

  it('drives each daemon through --context: berthd, berthd over TLS, dockerd', () => {
    ok(['--context', 'local', 'run', '-d', '--name', 'on-local', 'busybox', 'sleep', '300']);
    const tlsPull = berth(['--context', 'secure', 'pull', 'busybox']);
    assert.equal(tlsPull.code, 0, tlsPull.stderr);
    ok(['--context', 'secure', 'run', '-d', '--name', 'on-tls', 'busybox', 'sleep', '300']);
    ok(['--context', 'dockerd', 'volume', 'create', 'on-dockerd']);
    assert.equal(ok(['--context', 'local', 'ps', '--format', '{{.Names}}']), 'on-local\n');
    assert.equal(ok(['--context', 'secure', 'ps', '--format', '{{.Names}}']), 'on-tls\n');
    assert.equal(ok(['-c', 'dockerd', 'volume', 'ls', '-q']), 'on-dockerd\n');
    assert.match(serverVersion(['--context', 'dockerd']), /^20\.10\./);
    assert.equal(ok(['--context', 'secure', 'version', '--format', '{{.Client.Context}}']), 'secure\n');
    // Go field names in templates, JSON tags in json
    assert.equal(ok(['--context', 'secure', 'version', '--format', '{{.Client.APIVersion}} {{.Server.APIVersion}} {{json .Server.ApiVersion}}']), '1.43 1.43 "1.43"\n');
    assert.doesNotMatch(ok(['--context', 'secure', 'version', '--format', '{{json .Client}}']), /"APIVersion"/);
  });

  it("follows docker's precedence: --context, -H, BERTH_HOST, BERTH_CONTEXT, then context use", () => {
    assert.equal(ok(['context', 'use', 'secure']), 'secure\n');
    assert.equal(ok(['ps', '--format', '{{.Names}}']), 'on-tls\n', 'the current context');
    assert.equal(ok(['context', 'show']), 'secure\n');
    assert.match(ok(['context', 'ls']), /\nsecure \*/);
    assert.equal(ok(['ps', '--format', '{{.Names}}'], { BERTH_CONTEXT: 'local' }), 'on-local\n', 'BERTH_CONTEXT over the current context');
    assert.equal(ok(['ps', '--format', '{{.Names}}'], { BERTH_HOST: local.host, BERTH_CONTEXT: 'secure' }), 'on-local\n', 'BERTH_HOST over BERTH_CONTEXT');
    assert.equal(ok(['-H', local.host, 'ps', '--format', '{{.Names}}'], { BERTH_CONTEXT: 'secure' }), 'on-local\n', '-H over BERTH_CONTEXT');
    assert.equal(ok(['--context', 'local', 'ps', '--format', '{{.Names}}'], { BERTH_HOST: tlsd.host }), 'on-local\n', '--context over BERTH_HOST');
    const both = berth(['--context', 'local', '-H', local.host, 'ps']);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, 'conflicting options: cannot specify both --host and --context\n');
    const missing = berth(['ps'], { BERTH_CONTEXT: 'nope' });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Failed to initialize: unable to resolve docker endpoint: context "nope": context not found: open .*meta\.json: no such file or directory\n$/);
    const inUse = berth(['context', 'rm', 'secure']);
    assert.equal(inUse.code, 1);
    assert.equal(inUse.stderr, 'context "secure" is in use, set -f flag to force remove\n');
    assert.equal(ok(['context', 'use', 'default']), 'default\n');
    assert.doesNotMatch(readFileSync(join(dir, 'config', 'config.json'), 'utf8'), /currentContext/);
  });

  it('exports a context with its TLS material and imports it under another name', () => {
    const file = join(dir, 'secure.tar');
    ok(['context', 'export', 'secure', file]);
    const listing = spawnSync('tar', ['-tf', file], { encoding: 'utf8' }).stdout;
    assert.deepEqual(listing.trim().split('\n').sort(), ['meta.json', 'tls', 'tls/docker', 'tls/docker/ca.pem', 'tls/docker/cert.pem', 'tls/docker/key.pem']);
    assert.equal(ok(['context', 'import', 'secure-copy', file]), 'secure-copy\n');
    assert.equal(ok(['--context', 'secure-copy', 'ps', '--format', '{{.Names}}']), 'on-tls\n');
    const again = berth(['context', 'import', 'secure-copy', file]);
    assert.equal(again.stderr, 'context "secure-copy" already exists\n');
    const piped = berth(['context', 'import', 'piped', '-'], {}, undefined);
    assert.equal(piped.code, 1, 'an empty stdin is no archive');
    assert.equal(ok(['context', 'rm', 'secure-copy', 'local']), 'secure-copy\nlocal\n');
    assert.doesNotMatch(ok(['context', 'ls', '-q']), /local|secure-copy/);
  });

  it('checks names and --docker options as docker does', () => {
    const cases: Array<[string[], string]> = [
      [['context', 'create', 'default'], '"default" is a reserved context name\n'],
      [['context', 'create', 'x!'], 'context name "x!" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"\n'],
      [['context', 'create', 'dockerd'], 'context "dockerd" already exists\n'],
      [['context', 'create', 'bad', '--docker', 'host=tcp://h:1,foo=bar'], 'unable to create docker endpoint config: unrecognized config key: foo\n'],
      [['context', 'create', 'bad', '--docker', 'host=tcp://h:1,ca=/nonexistent.pem'], 'unable to create docker endpoint config: open /nonexistent.pem: no such file or directory\n'],
      [['context', 'create', 'bad', '--docker', 'host=tcp://h:1', '--from', 'dockerd'], 'cannot use --docker flag when --from is set\n'],
      [['context', 'create', 'bad', '--docker', 'host=h:1'], 'unable to create docker endpoint config: unable to apply docker endpoint options: unable to parse docker host `h:1`\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = berth(args);
      assert.equal(r.stderr, stderr, args.join(' '));
      assert.equal(r.code, 1, args.join(' '));
    }
    const flag = berth(['context', 'create', 'bad', '--docker', '']);
    assert.equal(flag.code, 125);
    assert.match(flag.stderr, /^invalid argument "" for "--docker" flag: {2}must be formatted as key=value\n/);
    assert.equal(berth(['context', 'ls', '-q']).stdout.includes('bad'), false, 'nothing half-made');
  });
});

describe('TLS to a daemon with NODE_EXTRA_CA_CERTS moved aside by bin/berth', () => {
  const flags = () => ['--tlsverify', '--tlscert', pki.clientCert, '--tlskey', pki.clientKey, '-H', `tcp://127.0.0.1:${port}`];

  it('verifies with --tlscacert, the custom CA', () => {
    assert.match(serverVersion(['--tlscacert', pki.ca, ...flags()], { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }), /^\d/);
  });

  it('trusts a CA named only by NODE_EXTRA_CA_CERTS, and only that one', () => {
    // no ca.pem in the cert path: the default roots plus NODE_EXTRA_CA_CERTS decide
    const certDir = join(dir, 'certs-no-ca');
    spawnSync('mkdir', ['-p', certDir]);
    writeFileSync(join(certDir, 'cert.pem'), readFileSync(pki.clientCert));
    writeFileSync(join(certDir, 'key.pem'), readFileSync(pki.clientKey));
    const env = { BERTH_CERT_PATH: certDir, BERTH_TLS_VERIFY: '1', BERTH_HOST: `tcp://127.0.0.1:${port}` };
    assert.match(serverVersion([], { ...env, NODE_EXTRA_CA_CERTS: pki.ca }), /^\d/);
    const untrusted = berth(['ps'], { ...env, NODE_EXTRA_CA_CERTS: pki.otherCa });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^error during connect: Head "https:\/\/127\.0\.0\.1:\d+\/_ping": .*certificate/);
  });

  it('runs `registry serve`, a TLS client of its own, in a Node process that has the variable', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: pki.ca };
    delete env.BERTH_HOST;
    const serverPort = await freePort();
    const child = spawn(berthBin, ['registry', 'serve', '--addr', `127.0.0.1:${serverPort}`, '--root', join(dir, 'registry')], { env, stdio: 'ignore' });
    try {
      let answered = false;
      for (let i = 0; i < 400 && !answered; i++) {
        answered = spawnSync('curl', ['-sf', `http://127.0.0.1:${serverPort}/v2/`]).status === 0;
        if (!answered) await sleep(25);
      }
      assert.ok(answered, 'the registry answers');
      // bin/berth execs node; that node started the server's own Node process
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      assert.equal(kids.length, 1);
      const environ = readFileSync(`/proc/${kids[0]}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes(`NODE_EXTRA_CA_CERTS=${pki.ca}`));
      assert.ok(!environ.some((e) => e.startsWith('BERTH_NODE_EXTRA_CA_CERTS=')));
      const parentEnv = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      assert.ok(parentEnv.includes(`BERTH_NODE_EXTRA_CA_CERTS=${pki.ca}`), 'the CLI itself started without it');
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
