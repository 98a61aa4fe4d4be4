import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgument } from '../errors/index.ts';
import { parseBind, parseMountSpec, parseVolumesFrom, tmpfsOptionString, validMountMode, validateTmpfs, validateVolumeName } from './parse.ts';

const throwsWith = (fn: () => unknown, message: string | RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof InvalidArgument && (typeof message === 'string' ? err.message === message : message.test(err.message)));

describe('parseBind (-v)', () => {
  it('tells binds, named and anonymous volumes apart', () => {
    assert.deepEqual(parseBind('/srv/www:/www:ro'), {
      Type: 'bind', Source: '/srv/www', Destination: '/www', RW: false, Name: '', Driver: '', Mode: 'ro', Propagation: 'rprivate', CopyData: false, CreateSource: true,
    });
    const named = parseBind('data:/var/lib/data');
    assert.equal(named.Type, 'volume');
    assert.equal(named.Name, 'data');
    assert.equal(named.CopyData, true);
    assert.equal(parseBind('data:/x:nocopy').CopyData, false);
    const anon = parseBind('/only/target');
    assert.equal(anon.Type, 'volume');
    assert.equal(anon.Name, '');
    assert.equal(parseBind('/a:/b:rshared').Propagation, 'rshared');
    assert.equal(parseBind('/a/../b/:/c/').Source, '/b');
  });

  it("rejects what dockerd rejects, in dockerd's words", () => {
    throwsWith(() => parseBind('rel/dir:/x'), 'create rel/dir: "rel/dir" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    throwsWith(() => parseBind('/a:/b:bogus'), 'invalid mode: bogus');
    throwsWith(() => parseBind('/a:/b:ro,rw'), 'invalid mode: ro,rw');
    throwsWith(() => parseBind('/a:rel'), `invalid volume specification: '/a:rel': invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`);
    throwsWith(() => parseBind('/a:/'), /destination can't be '\/'/);
    throwsWith(() => parseBind('/a:ro'), "invalid volume specification: '/a:ro'");
    throwsWith(() => parseBind(':/x'), "invalid volume specification: ':/x'");
    throwsWith(() => parseBind('a:b:c:d:e'), "invalid volume specification: 'a:b:c:d:e'");
  });
});

describe('parseMountSpec (--mount)', () => {
  it('requires an existing bind source unless asked to create it', () => {
    throwsWith(() => parseMountSpec({ Type: 'bind', Source: '/nope', Target: '/x' }, { sourceExists: () => false }), 'invalid mount config for type "bind": bind source path does not exist: /nope');
    assert.equal(parseMountSpec({ Type: 'bind', Source: '/nope', Target: '/x', BindOptions: { CreateMountpoint: true } }, { sourceExists: () => false }).CreateSource, true);
    throwsWith(() => parseMountSpec({ Type: 'bind', Target: '/x' }), 'invalid mount config for type "bind": field Source must not be empty');
    throwsWith(() => parseMountSpec({ Type: 'tmpfs', Source: 'x', Target: '/x' }), 'invalid mount config for type "tmpfs": field Source must not be specified');
    throwsWith(() => parseMountSpec({ Type: 'volume', Target: '/x', TmpfsOptions: {} }), 'invalid mount config for type "volume": field TmpfsOptions must not be specified');
    throwsWith(() => parseMountSpec({ Type: 'npipe', Target: '/x' }), 'invalid mount config for type "npipe": mount type unknown');
  });

  it('gives volumes mode z and tmpfs its options', () => {
    const v = parseMountSpec({ Type: 'volume', Source: 'vol', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } });
    assert.equal(v.Mode, 'z');
    assert.equal(v.CopyData, false);
    assert.deepEqual(v.VolumeOptions, { Labels: { a: 'b' } });
    assert.equal(parseMountSpec({ Type: 'tmpfs', Target: '/t', ReadOnly: true, TmpfsOptions: { SizeBytes: 64 << 20, Mode: 0o1777 } }).TmpfsOptions, 'ro,mode=1777,size=64m');
    assert.equal(tmpfsOptionString({ SizeBytes: 1000 }, false), 'size=1000');
  });
});

describe('small rules', () => {
  it('mount modes, tmpfs options, volumes-from, volume names', () => {
    assert.equal(validMountMode('ro,z,rslave,nocopy'), true);
    assert.equal(validMountMode('z,Z'), false);
    validateTmpfs('/run', 'rw,size=64m,mode=1777,noexec');
    throwsWith(() => validateTmpfs('/run', 'bogus'), 'Invalid tmpfs option ["bogus"]');
    throwsWith(() => validateTmpfs('run', ''), "invalid mount path: 'run' mount path must be absolute");
    assert.deepEqual(parseVolumesFrom('web:ro'), { container: 'web', mode: 'ro' });
    assert.deepEqual(parseVolumesFrom('web'), { container: 'web', mode: 'rw' });
    throwsWith(() => parseVolumesFrom('web:rshared'), 'invalid mode: rshared');
    throwsWith(() => parseVolumesFrom(''), 'volumes-from specification cannot be an empty string');
    validateVolumeName('my-vol_1.0');
    throwsWith(() => validateVolumeName('x'), 'volume name is too short, names should be at least two alphanumeric characters');
    throwsWith(() => validateVolumeName('-x'), /includes invalid characters/);
    validateVolumeName('v'.repeat(255));
    throwsWith(() => validateVolumeName('v'.repeat(256)), 'volume name is too long: names can be at most 255 characters, this one has 256');
    throwsWith(() => validateVolumeName('v'.repeat(300), { forBind: true }), /^create v{32}…: volume name is too long/);
  });
});
