import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChanges, splitWords } from './instruction.ts';
import type { ContainerConfig } from '../types/index.ts';

describe('import/commit changes', () => {
  it('applies CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL', () => {
    const c: Partial<ContainerConfig> = {};
    applyChanges(c, ['CMD ["sh","-c","x"]', 'ENV A=1 B="two words"', 'ENV C 3', 'LABEL k=v', 'EXPOSE 80 53/udp 8000-8001', 'VOLUME ["/data"]', 'USER app', 'WORKDIR /srv', 'WORKDIR sub', 'STOPSIGNAL SIGINT']);
    assert.deepEqual(c.Cmd, ['sh', '-c', 'x']);
    assert.deepEqual(c.Env, ['A=1', 'B=two words', 'C=3']);
    assert.deepEqual(c.Labels, { k: 'v' });
    assert.deepEqual(Object.keys(c.ExposedPorts ?? {}), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.User, 'app');
    assert.equal(c.WorkingDir, '/srv/sub');
    assert.equal(c.StopSignal, 'SIGINT');
  });

  it('shell form wraps in /bin/sh -c; ENTRYPOINT keeps a CMD set in the same changes only', () => {
    const a: Partial<ContainerConfig> = { Cmd: ['inherited'] };
    applyChanges(a, ['ENTRYPOINT echo hi']);
    assert.deepEqual(a.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(a.Cmd, null);
    const b: Partial<ContainerConfig> = {};
    applyChanges(b, ['CMD ["x"]', 'ENTRYPOINT ["y"]']);
    assert.deepEqual([b.Entrypoint, b.Cmd], [['y'], ['x']]);
  });

  it("refuses instructions a change may not use, with dockerd's texts", () => {
    assert.throws(() => applyChanges({}, ['RUN echo']), /run is not a valid change command/);
    assert.throws(() => applyChanges({}, ['FROB x']), /unknown instruction: FROB/);
    assert.throws(() => applyChanges({}, ['EXPOSE nope']), /invalid containerPort: nope/);
  });

  it('splits words with quotes and escapes', () => {
    assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
    assert.throws(() => splitWords('"open'), /unmatched quote/);
  });
});
