import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checker, decoder, go, warmUp } from './index.ts';

const hostConfig = go.struct('container.HostConfig', {
  Tmpfs: go.nullable(go.map(go.string())),
  Memory: go.int('int64', { min: 0, message: () => 'Minimum memory limit allowed is 6MB' }),
  Binds: go.nullable(go.slice(go.string())),
});
const wrapper = go.struct('runconfig.ContainerConfigWrapper', {
  Hostname: go.string({ max: 64 }),
  Tty: go.bool(),
  Cmd: go.nullable(go.strSlice()),
  Env: go.nullable(go.slice(go.string())),
  StopSignal: go.string({ check: (v) => (v.startsWith('SIG') ? undefined : `Invalid signal: ${v}`) }),
  Restart: go.enum(['no', 'always'], (v) => `invalid restart policy '${v}'`),
  Labels: go.nullable(go.map(go.string({ nul: true }))),
  Ports: go.map(go.nullable(go.slice(go.struct('nat.PortBinding', { HostPort: go.string() })))),
  HostConfig: go.nullable(hostConfig),
  Config: go.slice(go.struct('network.IPAMConfig', { Subnet: go.string() })),
});
const decode = decoder(wrapper);
const refused = (value: unknown) => {
  try {
    decode(value);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
};

describe("Go's decoding rules", () => {
  it('refuses a value of the wrong kind as dockerd does, naming the field and its Go type', () => {
    assert.equal(refused({ Cmd: 5 }), 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string');
    assert.equal(refused({ Env: { A: 1 } }), 'json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Env of type []string');
    assert.equal(refused({ HostConfig: { Tmpfs: { '/x': 5 } } }), 'json: cannot unmarshal number into Go struct field HostConfig.HostConfig.Tmpfs of type string');
    assert.equal(refused({ Config: [{}, 5] }), 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Config of type network.IPAMConfig');
    assert.equal(refused({ Tty: 'yes' }), 'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Tty of type bool');
    assert.equal(refused([1]), 'json: cannot unmarshal array into Go value of type runconfig.ContainerConfigWrapper');
  });

  it('reads integers as Go does: whole, and within their type', () => {
    assert.equal(refused({ HostConfig: { Memory: 1.5 } }), 'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.Memory of type int64');
    assert.equal(refused({ HostConfig: { Memory: 1e20 } }), 'json: cannot unmarshal number 100000000000000000000 into Go struct field HostConfig.HostConfig.Memory of type int64');
    assert.equal(refused({ HostConfig: { Memory: -1 } }), 'Minimum memory limit allowed is 6MB');
    assert.deepEqual(decode({ HostConfig: { Memory: 9007199254740991 } }), { HostConfig: { Memory: 9007199254740991 } });
  });

  it('leaves a null field unset unless null is a value of its type', () => {
    assert.deepEqual(decode({ Hostname: null, Tty: null, Cmd: null, HostConfig: null, Unknown: null }), { Cmd: null, HostConfig: null, Unknown: null });
    assert.deepEqual(decode({ Ports: { '80/tcp': null } }), { Ports: { '80/tcp': null } });
    // inside a list a null is no field: it is refused where the element cannot be null
    assert.equal(refused({ Env: [null] }), 'json: cannot unmarshal null into Go struct field ContainerConfigWrapper.Env of type string');
    assert.equal(refused({ Config: [null] }), 'json: cannot unmarshal null into Go struct field ContainerConfigWrapper.Config of type network.IPAMConfig');
  });

  it('reads one string as a StrSlice of one', () => {
    assert.deepEqual(decode({ Cmd: 'echo hi' }), { Cmd: ['echo hi'] });
    assert.equal(refused({ Cmd: ['a', 5] }), 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string');
    assert.equal(refused({ Cmd: {} }), 'json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Cmd of type string');
  });

  it('keeps unknown fields, as Go ignores them', () => {
    assert.deepEqual(decode({ Future: { Deep: [1, 'x'] }, Tty: true }), { Future: { Deep: [1, 'x'] }, Tty: true });
  });

  it('refuses NUL bytes except in free text, and over-long strings, naming the field', () => {
    assert.equal(refused({ Cmd: ['sh', 'a\u0000b'] }), 'invalid Cmd[1]: must not contain a NUL byte');
    assert.equal(refused({ HostConfig: { Binds: ['/a\u0000:/b'] } }), 'invalid HostConfig.Binds[0]: must not contain a NUL byte');
    assert.deepEqual(decode({ Labels: { a: 'x\u0000y' } }), { Labels: { a: 'x\u0000y' } });
    assert.equal(refused({ Hostname: 'h'.repeat(65) }), 'invalid Hostname: longer than 64 characters');
  });

  it("gives dockerd's wording for its own checks", () => {
    assert.equal(refused({ StopSignal: 'FOO' }), 'Invalid signal: FOO');
    assert.equal(refused({ Restart: 'sometimes' }), "invalid restart policy 'sometimes'");
    assert.deepEqual(decode({ Restart: 'always', StopSignal: 'SIGINT' }), { Restart: 'always', StopSignal: 'SIGINT' });
  });

  it('names the map key and index of a nested failure', () => {
    assert.equal(refused({ Ports: { '80/tcp': [{ HostPort: 'x\u0000' }] } }), 'invalid Ports["80/tcp"][0].HostPort: must not contain a NUL byte');
  });
});

describe('fields every value has', () => {
  const binding = go.struct('nat.PortBinding', { HostIp: go.required(go.string()), HostPort: go.required(go.string()) });
  const exec = go.struct('types.ExecStartCheck', {
    Ports: go.map(go.slice(binding)),
    Log: go.struct('container.LogConfig', { Type: go.required(go.string()), Config: go.required(go.map(go.string())) }),
    ConsoleSize: go.nullable(go.array(go.int('uint'), 2)),
  });
  const decodeExec = decoder(exec);

  it("gives a left-out field Go's zero value in a request", () => {
    assert.deepEqual(decodeExec({ Ports: { '80/tcp': [{ HostPort: '8080' }] }, Log: {} }), {
      Ports: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
      Log: { Type: '', Config: {} },
    });
    assert.deepEqual(decodeExec({ Log: { Type: null, Config: null } }), { Log: { Type: '', Config: {} } });
  });

  it('reads a Go array as Go does: padded with zeros, or cut', () => {
    assert.deepEqual(decodeExec({ ConsoleSize: [24] }), { ConsoleSize: [24, 0] });
    assert.deepEqual(decodeExec({ ConsoleSize: [24, 80, 5] }), { ConsoleSize: [24, 80] });
    assert.deepEqual(decodeExec({ ConsoleSize: null }), { ConsoleSize: null });
    assert.equal(
      (() => {
        try {
          decodeExec({ ConsoleSize: [24, -1] });
        } catch (err) {
          return (err as Error).message;
        }
      })(),
      'json: cannot unmarshal number -1 into Go struct field ExecStartCheck.ConsoleSize of type uint',
    );
  });
});

describe('record checks', () => {
  const record = go.struct('container.Container', { ID: go.required(go.string()), Name: go.required(go.string()), Env: go.nullable(go.slice(go.string())) });
  const check = checker(record);

  it('accepts a good record and describes a bad one', () => {
    assert.equal(check({ ID: 'a', Name: '/x', Env: null }), undefined);
    assert.equal(check({ ID: 'a', Name: 5 }), 'json: cannot unmarshal number into Go struct field Container.Name of type string');
    assert.equal(check({ ID: 'a', Name: '/x', Env: 'x' }), 'json: cannot unmarshal string into Go struct field Container.Env of type []string');
    assert.equal(check({ ID: 'a' }), 'missing required field Name');
  });

  it("checks types only: a record keeps what an image brought even where a request could not ask for it", () => {
    const checkWrapper = checker(wrapper);
    assert.equal(checkWrapper({ StopSignal: 'FOO', Restart: 'sometimes', Hostname: 'h'.repeat(300), HostConfig: { Memory: -1 }, Cmd: ['a\u0000'] }), undefined);
    assert.match(checkWrapper({ Restart: 5 }) ?? '', /cannot unmarshal number into Go struct field ContainerConfigWrapper.Restart of type string/);
    assert.match(checkWrapper({ HostConfig: { Memory: 1.5 } }) ?? '', /cannot unmarshal number 1.5/);
    assert.match(checkWrapper({ Cmd: 'x' }) ?? '', /cannot unmarshal string into Go struct field ContainerConfigWrapper.Cmd/);
  });

  it('does not normalise: a null where the type has none is malformed in a record', () => {
    assert.match(check({ ID: null, Name: '/x' }) ?? '', /cannot unmarshal null into Go struct field Container.ID of type string/);
  });
});

describe('warm-up', () => {
  it('compiles in the background every validator not used yet, once', async () => {
    const a = decoder(go.struct('x.A', { A: go.string() }));
    checker(go.struct('x.B', { B: go.int() }));
    assert.ok((await warmUp()) >= 2);
    assert.equal(await warmUp(), 0);
    assert.deepEqual(a({ A: 'x' }), { A: 'x' });
  });
});
