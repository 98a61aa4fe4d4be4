import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerConfig } from '../types/index.ts';
import { applyChanges } from './changes.ts';

describe('import/commit changes', () => {
  it('applies CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, HEALTHCHECK, ONBUILD', () => {
    const c: Partial<ContainerConfig> = {};
    applyChanges(c, [
      'CMD ["sh","-c","x"]',
      'ENV A=1 B="two words"',
      'ENV C 3',
      'ENV D=$A-${B}',
      'LABEL k=v',
      'EXPOSE 80 53/udp 8000-8001',
      'VOLUME ["/data"]',
      'USER app',
      'WORKDIR /srv',
      'WORKDIR sub',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s CMD true',
      'ONBUILD RUN echo hi',
    ]);
    assert.deepEqual(c.Cmd, ['sh', '-c', 'x']);
    assert.deepEqual(c.Env, ['A=1', 'B=two words', 'C=3', 'D=1-two words']);
    assert.deepEqual(c.Labels, { k: 'v' });
    assert.deepEqual(Object.keys(c.ExposedPorts ?? {}).sort(), ['53/udp', '80/tcp', '8000/tcp', '8001/tcp']);
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.User, 'app');
    assert.equal(c.WorkingDir, '/srv/sub');
    assert.equal(c.StopSignal, 'SIGINT');
    assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9 });
    assert.deepEqual(c.OnBuild, ['RUN echo hi']);
    // Only what the changes touch is written: a partial config stays partial.
    assert.equal('Hostname' in c, false);
  });

  it('shell form wraps in /bin/sh -c; a new ENTRYPOINT drops a CMD not set in the same changes', () => {
    const a: Partial<ContainerConfig> = { Cmd: ['inherited'] };
    applyChanges(a, ['ENTRYPOINT echo hi']);
    assert.deepEqual(a.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(a.Cmd, null);
    const b: Partial<ContainerConfig> = {};
    applyChanges(b, ['CMD ["x"]', 'ENTRYPOINT ["y"]']);
    assert.deepEqual([b.Entrypoint, b.Cmd], [['y'], ['x']]);
    const e: Partial<ContainerConfig> = { Entrypoint: ['old'], Cmd: ['c'] };
    applyChanges(e, ['ENTRYPOINT []']);
    assert.deepEqual([e.Entrypoint, e.Cmd], [null, null]);
  });

  it("refuses instructions a change may not use, and bad values, with dockerd's texts", () => {
    assert.throws(() => applyChanges({}, ['RUN echo']), /^InvalidArgument: run is not a valid change command$/);
    assert.throws(() => applyChanges({}, ['FROB x']), /frob is not a valid change command/);
    assert.throws(() => applyChanges({}, ['FROM busybox']), /from is not a valid change command/);
    assert.throws(() => applyChanges({}, ['EXPOSE nope']), /^InvalidArgument: invalid containerPort: nope$/);
    assert.throws(() => applyChanges({}, ['STOPSIGNAL SIGNOPE']), /Invalid signal: SIGNOPE/);
    assert.throws(() => applyChanges({}, ['SHELL /bin/bash']), /shell is not a valid change command/);
    assert.throws(() => applyChanges({}, ['ENV']), /ENV requires at least one argument/);
    assert.throws(() => applyChanges({}, ['ONBUILD FROM x']), /FROM isn't allowed as an ONBUILD trigger/);
  });

  it('leaves the config alone when there are no changes', () => {
    const c: Partial<ContainerConfig> = { Cmd: ['x'] };
    applyChanges(c, []);
    applyChanges(c, ['  ']);
    assert.deepEqual(c, { Cmd: ['x'] });
  });
});
