import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, parsePortShort, parseVolumeShort } from './short-syntax.ts';
import { splitShellWords } from './shellwords.ts';

test('ports: short syntax to long form', () => {
  assert.deepEqual(parsePortShort('80'), [{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePortShort('8080:80/udp'), [{ mode: 'ingress', target: 80, published: '8080', protocol: 'udp' }]);
  assert.deepEqual(parsePortShort('127.0.0.1:8080:80'), [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'tcp' }]);
  assert.deepEqual(parsePortShort('[::1]:8080:80'), [{ mode: 'ingress', host_ip: '::1', target: 80, published: '8080', protocol: 'tcp' }]);
  assert.deepEqual(parsePortShort('127.0.0.1::80'), [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, protocol: 'tcp' }]);
  assert.deepEqual(
    parsePortShort('9090-9091:8080-8081').map((p) => `${p.published}->${p.target}`),
    ['9090->8080', '9091->8081'],
  );
  assert.deepEqual(parsePortShort('8000-8010:80'), [{ mode: 'ingress', target: 80, published: '8000-8010', protocol: 'tcp' }]);
  // compose orders a range's ports as the strings "port/proto" sort.
  assert.deepEqual(parsePortShort('98-101').map((p) => p.target), [100, 101, 98, 99]);
});

test('ports: errors in docker\'s words', () => {
  assert.throws(() => parsePortShort('8080:80:70:60'), /invalid IP address: 8080:80/);
  assert.throws(() => parsePortShort('a:80'), /invalid hostPort: a/);
  assert.throws(() => parsePortShort('80/xyz'), /invalid proto: xyz/);
  assert.throws(() => parsePortShort('80000'), /invalid containerPort: 80000/);
  assert.throws(() => parsePortShort('1-3:10-11'), /invalid ranges specified for container and host Ports: 10-11 and 1-3/);
  assert.throws(() => parsePortShort('8080:'), /no port specified: 8080:<empty>/);
});

test('volumes: short syntax to long form', () => {
  assert.deepEqual(parseVolumeShort('/data'), { type: 'volume', target: '/data', volume: {} });
  assert.deepEqual(parseVolumeShort('db:/var/lib/db:ro'), { type: 'volume', source: 'db', target: '/var/lib/db', read_only: true, volume: {} });
  assert.deepEqual(parseVolumeShort('db:/x:nocopy'), { type: 'volume', source: 'db', target: '/x', volume: { nocopy: true } });
  assert.deepEqual(parseVolumeShort('./src:/app:z'), { type: 'bind', source: './src', target: '/app', bind: { selinux: 'z', create_host_path: true } });
  assert.deepEqual(parseVolumeShort('~/cfg:/cfg:rw,Z'), { type: 'bind', source: '~/cfg', target: '/cfg', bind: { selinux: 'Z', create_host_path: true } });
  assert.deepEqual(parseVolumeShort('/host:/in/../x/:ro,rshared'), { type: 'bind', source: '/host', target: '/x', read_only: true, bind: { propagation: 'rshared', create_host_path: true } });
  assert.deepEqual(parseVolumeShort('${DIR:-/a:b}:/x'), { type: 'volume', source: '${DIR:-/a:b}', target: '/x', volume: {} });
  assert.throws(() => parseVolumeShort('aa:bb:cc:dd'), /invalid spec: aa:bb:cc:dd: too many colons/);
  assert.throws(() => parseVolumeShort('aa::bb'), /empty section between colons/);
  assert.throws(() => parseVolumeShort(':foo'), /empty section between colons/);
  assert.throws(() => parseVolumeShort('/foo::ro'), /empty section between colons/);
  assert.deepEqual(parseVolumeShort('/a'), { type: 'volume', target: '/a' });
  assert.deepEqual(parseVolumeShort('name:/target:bogus'), { type: 'volume', source: 'name', target: '/target', volume: {} });
  // A single letter before a colon is a Windows drive, as compose reads it.
  assert.deepEqual(parseVolumeShort('c:\\data:/data'), { type: 'bind', source: 'c:\\data', target: '/data', bind: { create_host_path: true } });
  assert.equal(cleanPath('/a/./b/../c/'), '/a/c');
  assert.equal(cleanPath('../a'), '../a');
});

test('command strings split as go-shellwords does', () => {
  assert.deepEqual(splitShellWords('redis-server /usr/local/redis/redis.conf'), ['redis-server', '/usr/local/redis/redis.conf']);
  assert.deepEqual(splitShellWords(`sh -c "echo 'a b' \\"c\\"" x\\ y`), ['sh', '-c', `echo 'a b' "c"`, 'x y']);
  assert.deepEqual(splitShellWords("echo '$HOME' \"$HOME\""), ['echo', '$HOME', '$HOME']);
  assert.deepEqual(splitShellWords(''), []);
  assert.deepEqual(splitShellWords('""'), ['']);
  // compose drops what follows an unquoted control operator.
  assert.deepEqual(splitShellWords('echo a && echo b'), ['echo', 'a']);
  assert.deepEqual(splitShellWords('echo "a && b"'), ['echo', 'a && b']);
  assert.throws(() => splitShellWords('echo "open'), /invalid command line string/);
  assert.throws(() => splitShellWords('echo (x)'), /invalid command line string/);
});
