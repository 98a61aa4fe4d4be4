// The driver catalogue: option checks with dockerd's messages, the daemon's defaults, the tag
// template, the extra attributes, and the syslog formats.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../lib/index.ts';
import { jsonFilePolicy, localPolicy, logPathFor, mergeLogConfig, validateLogConfig } from './drivers.ts';
import { extraAttributes, renderTag, type ContainerLogInfo } from './info.ts';
import { SyslogWriter, formatSyslog, parseFacility, parseSyslogAddress, parseSyslogFormat } from './syslog.ts';

const base = mkdtempSync('/tmp/berth-drivers-');
after(() => rmSync(base, { recursive: true, force: true }));

const info = (config: Record<string, string> = {}): ContainerLogInfo => ({
  id: 'a'.repeat(64),
  name: '/web',
  imageId: `sha256:${'b'.repeat(64)}`,
  imageName: 'busybox',
  entrypoint: 'sh',
  args: ['-c', 'echo hi'],
  created: '2024-01-02T03:04:05.1234Z',
  labels: { role: 'db', tier: 'back' },
  env: ['FOO=foo', 'XA=1', 'XB=2', 'EMPTY='],
  dir: base,
  logPath: join(base, 'x-json.log'),
  type: 'json-file',
  config,
});

describe('option checks', () => {
  it('names unknown drivers and options as dockerd does', () => {
    assert.throws(() => validateLogConfig('foo', {}), { message: 'error looking up logging plugin foo: plugin "foo" not found' });
    assert.throws(() => validateLogConfig('journald', {}), { message: /logging driver "journald" is not supported by berth/ });
    assert.throws(() => validateLogConfig('json-file', { foo: '1' }), { message: "unknown log opt 'foo' for json-file log driver" });
    assert.throws(() => validateLogConfig('local', { tag: '1' }), { message: "unknown log opt 'tag' for log driver local" });
    assert.throws(() => validateLogConfig('syslog', { 'max-size': '1' }), { message: "unknown log opt 'max-size' for syslog log driver" });
    assert.throws(() => validateLogConfig('json-file', { 'cache-disabled': 'maybe' }), { message: 'invalid value for option cache-disabled: maybe' });
    validateLogConfig('none', { anything: 'goes' });
    validateLogConfig('json-file', { 'cache-max-size': 'x' });
  });

  it('checks values when the container starts, with dockerd’s wording', () => {
    assert.deepEqual(jsonFilePolicy({}), { maxSize: -1, maxFiles: 1, compress: false });
    assert.deepEqual(jsonFilePolicy({ 'max-size': '1k', 'max-file': '3', compress: 'true' }), { maxSize: 1000, maxFiles: 3, compress: true });
    assert.throws(() => jsonFilePolicy({ 'max-size': 'abc' }), { message: "invalid size: 'abc'" });
    assert.throws(() => jsonFilePolicy({ 'max-size': '0' }), { message: 'max-size must be a positive number' });
    assert.throws(() => jsonFilePolicy({ 'max-file': 'x' }), { message: 'strconv.Atoi: parsing "x": invalid syntax' });
    assert.throws(() => jsonFilePolicy({ compress: 'yes' }), { message: 'strconv.ParseBool: parsing "yes": invalid syntax' });
    assert.deepEqual(localPolicy({}), { maxSize: 20 * 1024 * 1024, maxFiles: 5, compress: true });
    assert.throws(() => localPolicy({ 'max-file': '1' }), { message: 'compression cannot be enabled when max file count is 1' });
    assert.throws(() => localPolicy({ 'max-size': 'x' }), { message: "invalid value for max-size: x: invalid size: 'x'" });
    assert.deepEqual(localPolicy({ 'cache-max-size': '1m', 'cache-compress': 'false' }, 'cache-'), { maxSize: 1_000_000, maxFiles: 5, compress: false });
  });

  it('fills in the daemon’s driver and options, its cache-* options for any driver', () => {
    const daemon = { type: 'local', config: { 'max-size': '1m', 'cache-disabled': 'true' } };
    assert.deepEqual(mergeLogConfig(undefined, daemon), { Type: 'local', Config: { 'cache-disabled': 'true', 'max-size': '1m' } });
    assert.deepEqual(mergeLogConfig({ Type: 'json-file', Config: { 'max-file': '2' } }, daemon), { Type: 'json-file', Config: { 'cache-disabled': 'true', 'max-file': '2' } });
    assert.deepEqual(mergeLogConfig({ Type: '', Config: { 'max-size': '5m' } }, daemon), { Type: 'local', Config: { 'cache-disabled': 'true', 'max-size': '5m' } });
    assert.equal(logPathFor('json-file', 'abc', '/d'), '/d/abc-json.log');
    assert.equal(logPathFor('local', 'abc', '/d'), '');
  });
});

describe('tag and attributes', () => {
  const host = { hostname: 'vm', pid: 42 };

  it('renders the tag over dockerd’s logger.Info, quirks included', () => {
    assert.equal(renderTag(info(), host, '{{.ID}}'), 'aaaaaaaaaaaa');
    assert.equal(renderTag(info(), host, ''), '');
    assert.equal(
      renderTag(info({ tag: '{{.Name}}|{{.ImageID}}|{{.ImageName}}|{{.DaemonName}}|{{.Command}}|{{.Hostname}}|{{.ContainerName}}|{{.ContainerCreated}}' }), host, ''),
      'web|sha256:bbbbb|busybox|docker|sh -c echo hi|vm|/web|2024-01-02 03:04:05.1234 +0000 UTC',
    );
    assert.throws(() => renderTag(info({ tag: '{{.Nope}}' }), host, ''), { message: /can't evaluate field Nope in type \*logger.Info/ });
  });

  it('selects labels and env by name and by pattern', () => {
    assert.deepEqual(extraAttributes(info({ labels: 'role,missing', env: 'FOO,EMPTY', 'env-regex': '^X' })), { role: 'db', FOO: 'foo', EMPTY: '', XA: '1', XB: '2' });
    assert.deepEqual(extraAttributes(info({ 'labels-regex': '^t' })), { tier: 'back' });
  });
});

describe('syslog', () => {
  const parts = { priority: 30, time: { sec: 1_733_441_397, nsec: 487_144_000 }, hostname: 'vm', tag: 'web', pid: 42, content: 'hello' };

  it('formats as srslog does for dockerd', () => {
    process.env.TZ = 'UTC';
    assert.equal(formatSyslog('unix', parts), '<30>Dec  5 23:29:57 web[42]: hello\n');
    assert.equal(formatSyslog('rfc3164', parts), '<30>Dec  5 23:29:57 vm web[42]: hello\n');
    assert.equal(formatSyslog('rfc5424', parts), '<30>1 2024-12-05T23:29:57Z vm web 42 web - hello\n');
    assert.equal(formatSyslog('rfc5424micro', parts), '<30>1 2024-12-05T23:29:57.487144Z vm web 42 web - hello\n');
    assert.equal(formatSyslog('rfc5424', parts, true), '49 <30>1 2024-12-05T23:29:57Z vm web 42 web - hello\n');
  });

  it('parses addresses, facilities and formats with dockerd’s messages', () => {
    assert.deepEqual(parseSyslogAddress('tcp://127.0.0.1'), { proto: 'tcp', address: '127.0.0.1:514' });
    assert.deepEqual(parseSyslogAddress('udp://[::1]:601'), { proto: 'udp', address: '[::1]:601' });
    assert.deepEqual(parseSyslogAddress(''), { address: '' });
    assert.throws(() => parseSyslogAddress('bogus://x'), { message: 'syslog-address should be in form proto://address, got bogus://x' });
    assert.throws(() => parseSyslogAddress('unix:///nonexistent.sock'), { message: 'stat /nonexistent.sock: no such file or directory' });
    assert.equal(parseFacility(undefined), 24);
    assert.equal(parseFacility('local3'), 19 << 3);
    assert.equal(parseFacility('7'), 56);
    assert.throws(() => parseFacility('24'), { message: 'invalid syslog facility' });
    assert.equal(parseSyslogFormat(undefined), 'unix');
    assert.throws(() => parseSyslogFormat('x'), { message: 'Invalid syslog format' });
  });

  it('sends a message per line over a unix stream socket, stderr at severity err, empty lines skipped', async () => {
    const path = join(base, 'sl.sock');
    let got = '';
    const srv = net.createServer((c) => c.on('data', (b: Buffer) => (got += b.toString())));
    await new Promise<void>((r) => srv.listen(path, r));
    try {
      const w = await SyslogWriter.open({
        address: { proto: 'unix', address: path },
        facility: parseFacility('user'),
        format: 'rfc5424',
        tag: 't',
        hostname: 'h',
        pid: 1,
        datagram: { connect: () => 0, send: () => true, close: () => {} },
        log: silentLogger,
      });
      await w.log([
        { source: 'stdout', time: parts.time, line: Buffer.from('one') },
        { source: 'stdout', time: parts.time, line: Buffer.alloc(0) },
        { source: 'stderr', time: parts.time, line: Buffer.from('two') },
      ]);
      w.close();
      for (let i = 0; i < 50 && !got.includes('two'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(got, '<14>1 2024-12-05T23:29:57Z h t 1 t - one\n<11>1 2024-12-05T23:29:57Z h t 1 t - two\n');
    } finally {
      srv.close();
    }
  });

  it('over tcp+tls, rfc5424 messages are framed by their length (RFC 5425), the server checked against syslog-tls-ca-cert', async () => {
    const key = join(base, 'key.pem');
    const cert = join(base, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    let got = '';
    const srv = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (c) => c.on('data', (b: Buffer) => (got += b.toString())));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const open = (ca: string | undefined) =>
        SyslogWriter.open({
          address: parseSyslogAddress(`tcp+tls://127.0.0.1:${port}`),
          facility: parseFacility('daemon'),
          format: 'rfc5424',
          tag: 't',
          hostname: 'h',
          pid: 1,
          tls: { ...(ca ? { ca } : {}), skipVerify: false },
          datagram: { connect: () => 0, send: () => true, close: () => {} },
          log: silentLogger,
        });
      await assert.rejects(open(undefined), /self.signed|unable to verify/i);
      const w = await open(cert);
      await w.log([{ source: 'stdout', time: parts.time, line: Buffer.from('secure') }]);
      w.close();
      for (let i = 0; i < 50 && !got.includes('secure'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(got, '44 <30>1 2024-12-05T23:29:57Z h t 1 t - secure\n');
    } finally {
      srv.close();
    }
  });
});
