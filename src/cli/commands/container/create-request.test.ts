import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../errors.ts';
import { parsePublish } from './create-request.ts';

describe('parsePublish', () => {
  it('exposes every container port and binds it to its host port', () => {
    const r = parsePublish(['127.0.0.1:8000-8001:80-81', '53/udp']);
    assert.deepEqual(Object.keys(r.exposed), ['80/tcp', '81/tcp', '53/udp']);
    assert.deepEqual(r.bindings['81/tcp'], [{ HostIp: '127.0.0.1', HostPort: '8001' }]);
    assert.deepEqual(r.bindings['53/udp'], [{ HostIp: '', HostPort: '' }]);
  });

  it('fails with status 125 and the parser message', () => {
    assert.throws(
      () => parsePublish(['80:foo']),
      (err: unknown) => err instanceof StatusError && err.status === 125 && err.message === 'invalid containerPort: foo',
    );
  });
});
