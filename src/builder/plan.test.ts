import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerConfig } from '../types/index.ts';
import { copyCommit, type StepPlan } from './dispatch.ts';
import { parseStages } from './instructions.ts';
import { BuildPlan, type BuildRequest } from './plan.ts';

const host = { os: 'linux', architecture: 'amd64' };
const plan = (text: string, request: Partial<BuildRequest> = {}) => new BuildPlan(parseStages(text), { hostPlatform: host, ...request });
const createdBy = (s: StepPlan) => (s.kind === 'copy' ? copyCommit(s, 'file:HASH').createdBy : s.createdBy);
// The base image of the comparisons below: `docker import -c 'CMD ["sh"]'` of a busybox tree.
const base = { id: 'sha256:base', config: { Cmd: ['sh'] } as Partial<ContainerConfig> };

describe('build plan: what dockerd 20.10 records', () => {
  // Built on dockerd 20.10.24 with DOCKER_BUILDKIT=0, --build-arg B=bee UNUSED=1 HTTP_PROXY=p;
  // the expected created_by strings and config are what it stored (COPY hashes aside).
  const dockerfile = [
    'ARG GLOBAL=g1',
    'FROM base:1 AS first',
    'MAINTAINER Jane <jane@example.com>',
    'ARG A=1',
    'ARG B',
    'ENV E1=e1 E2="two words"',
    'LABEL l1=v1 "l 2"=v2',
    'RUN echo $A $B',
    'RUN ["echo", "exec"]',
    'CMD echo hi',
    'ENTRYPOINT ["/bin/sh", "-c"]',
    'HEALTHCHECK --interval=5s --timeout=3s --retries=3 CMD true',
    'EXPOSE 80 53/udp 8000-8001',
    'VOLUME /data /other',
    'USER root',
    'WORKDIR rel',
    'WORKDIR /abs',
    'STOPSIGNAL SIGUSR1',
    'ONBUILD RUN echo trig',
    'SHELL ["/bin/sh", "-ec"]',
    'COPY f.txt /dst/',
    'COPY --chown=0:0 d /dd',
    'COPY f.txt d /multi/',
    'ADD f.txt rel2',
    'HEALTHCHECK NONE',
    '',
  ].join('\n');
  const buildArgs = new Map([
    ['B', 'bee'],
    ['UNUSED', '1'],
    ['HTTP_PROXY', 'p'],
  ]);

  it('created_by of every step, the RUN build args, the nop comments and their shells', () => {
    const p = plan(dockerfile, { buildArgs });
    assert.deepEqual(p.graph.order, [0]);
    const stage = p.planStage(0, base);
    assert.deepEqual(stage.steps.map(createdBy), [
      '/bin/sh -c #(nop)  MAINTAINER Jane <jane@example.com>',
      '/bin/sh -c #(nop)  ARG A=1',
      '/bin/sh -c #(nop)  ARG B',
      '/bin/sh -c #(nop)  ENV E1=e1 E2=two words',
      '/bin/sh -c #(nop)  LABEL l1=v1 l 2=v2',
      '|2 A=1 B=bee /bin/sh -c echo $A $B',
      '|2 A=1 B=bee echo exec',
      '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo hi"]',
      '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/sh" "-c"]',
      `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "3s" "0s" '\\x03'}`,
      '/bin/sh -c #(nop)  EXPOSE 53/udp 80 8000-8001',
      '/bin/sh -c #(nop)  VOLUME [/data /other]',
      '/bin/sh -c #(nop)  USER root',
      '/bin/sh -c #(nop) WORKDIR /rel',
      '/bin/sh -c #(nop) WORKDIR /abs',
      '/bin/sh -c #(nop)  STOPSIGNAL SIGUSR1',
      '/bin/sh -c #(nop)  ONBUILD RUN echo trig',
      '/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]',
      '/bin/sh -ec #(nop) COPY file:HASH in /dst/ ',
      '/bin/sh -ec #(nop) COPY --chown=0:0file:HASH in /dd ',
      '/bin/sh -ec #(nop) COPY file:HASH in /multi/ ',
      '/bin/sh -ec #(nop) ADD file:HASH in rel2 ',
      `/bin/sh -ec #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\\x00'}`,
    ]);
    assert.ok(stage.steps.every((s) => s.author === '' || s.author === 'Jane <jane@example.com>'));
    assert.equal(stage.steps.at(-1)!.author, 'Jane <jane@example.com>');
    assert.equal(p.unusedArgsWarning(), '[Warning] One or more build-args [UNUSED] were not consumed');
  });

  it('the final config', () => {
    const stage = plan(dockerfile, { buildArgs }).planStage(0, base);
    const c = stage.config;
    assert.deepEqual(
      {
        User: c.User,
        ExposedPorts: c.ExposedPorts,
        Env: c.Env,
        Cmd: c.Cmd,
        Entrypoint: c.Entrypoint,
        Volumes: c.Volumes,
        WorkingDir: c.WorkingDir,
        Labels: c.Labels,
        StopSignal: c.StopSignal,
        OnBuild: c.OnBuild,
        Shell: c.Shell,
        Image: c.Image,
      },
      {
        User: 'root',
        ExposedPorts: { '53/udp': {}, '80/tcp': {}, '8000/tcp': {}, '8001/tcp': {} },
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'E1=e1', 'E2=two words'],
        Cmd: ['/bin/sh', '-c', 'echo hi'],
        Entrypoint: ['/bin/sh', '-c'],
        Volumes: { '/data': {}, '/other': {} },
        WorkingDir: '/abs',
        Labels: { 'l 2': 'v2', l1: 'v1' },
        StopSignal: 'SIGUSR1',
        OnBuild: ['RUN echo trig'],
        Shell: ['/bin/sh', '-ec'],
        Image: 'sha256:base',
      },
    );
    // dockerd 20.10 stores {"Test":["NONE"],"Interval":5000000000,"Timeout":3000000000,"Retries":3}
    // here: creating each step's container merges the parent's healthcheck into a pointer the
    // build state shares. That is dockerd's bug; Berth stores the HEALTHCHECK NONE as written.
    assert.deepEqual(c.Healthcheck, { Test: ['NONE'] });
  });

  it('a RUN step: the shell-wrapped command, env with build args, no entrypoint, its cache identity', () => {
    const stage = plan(dockerfile, { buildArgs }).planStage(0, base);
    const run = stage.steps[5];
    assert.equal(run.kind, 'run');
    if (run.kind !== 'run') return;
    assert.deepEqual(run.args, ['/bin/sh', '-c', 'echo $A $B']);
    // HTTP_PROXY reaches the command but not the history; undeclared UNUSED reaches nothing.
    assert.deepEqual(run.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'E1=e1', 'E2=two words', 'A=1', 'B=bee', 'HTTP_PROXY=p']);
    assert.deepEqual(run.buildArgsInUse, ['A=1', 'B=bee']);
    assert.deepEqual(run.containerConfig.Cmd, ['|2', 'A=1', 'B=bee', '/bin/sh', '-c', 'echo $A $B']);
    assert.equal(run.containerConfig.Entrypoint, null);
    assert.deepEqual(run.config.Cmd, ['sh'], "RUN leaves the image's Cmd alone");
    const other = plan(dockerfile, { buildArgs: new Map([['B', 'other']]) }).planStage(0, base).steps[5];
    assert.notEqual(other.cacheText, run.cacheText);
    const proxy = plan(dockerfile, { buildArgs: new Map([['B', 'bee'], ['HTTP_PROXY', 'q']]) }).planStage(0, base).steps[5];
    assert.equal(proxy.cacheText, run.cacheText, 'a predefined proxy arg that is not declared does not change the cache key');
  });
});

describe('build plan: args, stages, triggers, labels', () => {
  // Also checked against dockerd 20.10: meta args reach FROM and a stage's own ARG only; the base's
  // ONBUILD runs first; --label values come last, sorted, one LABEL each.
  const dockerfile = [
    'ARG TAG=1',
    'ARG HTTP_PROXY',
    'FROM base:${TAG} AS child',
    'ARG TAG',
    'ARG NOVAL',
    'ARG HTTP_PROXY',
    'ENV FROMARG=$TAG NV=${NOVAL:-unset}',
    'RUN echo "tag=$TAG proxy=$HTTP_PROXY noval=${NOVAL-x}"',
    'FROM base:${TAG} AS second',
    'LABEL x=${TAG:-none}',
    'COPY --from=child /dst/f.txt /copied',
    'FROM second',
    'HEALTHCHECK CMD true',
    '',
  ].join('\n');

  it('meta args expand FROM; a stage sees only the ARGs it declares', () => {
    const p = plan(dockerfile, { buildArgs: new Map([['HTTP_PROXY', 'hp']]), labels: { built: 'yes', a: 'b' } });
    assert.deepEqual(p.baseNames, ['base:1', 'base:1', 'second']);
    assert.deepEqual(p.graph.order, [0, 1, 2]);
    assert.deepEqual(p.graph.levels, [[0], [1], [2]]);
    const child = p.planStage(0, { id: 'sha256:t1', config: { Env: ['PATH=/bin'], OnBuild: ['RUN echo trig'] } });
    assert.equal(child.triggerMessage, '# Executing 1 build trigger');
    assert.deepEqual(child.steps.map((s) => s.code), ['RUN echo trig', 'ARG TAG', 'ARG NOVAL', 'ARG HTTP_PROXY', 'ENV FROMARG=$TAG NV=${NOVAL:-unset}', 'RUN echo "tag=$TAG proxy=$HTTP_PROXY noval=${NOVAL-x}"']);
    assert.deepEqual(child.config.Env, ['PATH=/bin', 'FROMARG=1', 'NV=unset']);
    assert.equal(child.config.OnBuild, null);
    const run = child.steps[5];
    assert.deepEqual(run.kind === 'run' && run.env, ['PATH=/bin', 'FROMARG=1', 'NV=unset', 'HTTP_PROXY=hp', 'TAG=1']);
    assert.equal(run.kind === 'run' && run.createdBy, '|2 HTTP_PROXY=hp TAG=1 /bin/sh -c echo "tag=$TAG proxy=$HTTP_PROXY noval=${NOVAL-x}"');
    const second = p.planStage(1, base);
    assert.deepEqual(second.config.Labels, { x: 'none' });
    const copy = second.steps[1];
    assert.deepEqual(copy.kind === 'copy' && [copy.from, copy.preserveOwnership, copy.destPath], [{ kind: 'stage', index: 0, name: 'child' }, true, '/copied']);
    const last = p.planStage(2, { id: 'sha256:second', config: second.config });
    assert.deepEqual(
      last.steps.map((s) => s.kind === 'metadata' && s.createdBy),
      [`/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "0s" "0s" "0s" '\\x00'}`, '/bin/sh -c #(nop)  LABEL a=b', '/bin/sh -c #(nop)  LABEL built=yes'],
    );
    assert.deepEqual(last.config.Labels, { x: 'none', a: 'b', built: 'yes' });
    assert.deepEqual(last.config.Healthcheck, { Test: ['CMD-SHELL', 'true'] });
    assert.equal(p.unusedArgsWarning(), undefined);
  });

  it('--build-arg overrides defaults everywhere; unset names count as passed', () => {
    const p = plan('ARG V=1\nFROM img:$V\nARG V\nARG W=d\nRUN echo $V $W\n', { buildArgs: new Map<string, string | null>([['V', '2'], ['W', null], ['X', null]]) });
    assert.deepEqual(p.baseNames, ['img:2']);
    const run = p.planStage(0, base).steps[2];
    assert.deepEqual(run.kind === 'run' && run.buildArgsInUse, ['V=2', 'W=d']);
    assert.equal(p.unusedArgsWarning(), '[Warning] One or more build-args [X] were not consumed');
  });

  it('ARG values expand with earlier ones; ENV wins over ARG in expansion and in RUN', () => {
    const p = plan('FROM x\nARG A=1\nARG B=$A-2\nENV A=env\nARG C=$A\nRUN true\n');
    const stage = p.planStage(0, base);
    assert.deepEqual(stage.steps.map((s) => s.kind === 'metadata' && s.createdBy).slice(0, 4), [
      '/bin/sh -c #(nop)  ARG A=1',
      '/bin/sh -c #(nop)  ARG B=1-2',
      '/bin/sh -c #(nop)  ENV A=env',
      '/bin/sh -c #(nop)  ARG C=env',
    ]);
    const run = stage.steps[4];
    assert.deepEqual(run.kind === 'run' && run.env.slice(1), ['A=env', 'B=1-2', 'C=env']);
    assert.equal(run.kind === 'run' && run.createdBy, '|2 B=1-2 C=env /bin/sh -c true');
  });

  it('automatic platform args: in FROM without ARG, in a stage only when declared', () => {
    const p = plan('FROM --platform=$BUILDPLATFORM img:$TARGETARCH\nARG TARGETPLATFORM\nARG TARGETOS=override\nRUN echo $TARGETPLATFORM $BUILDARCH\n', { hostPlatform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    assert.deepEqual(p.baseNames, ['img:arm64']);
    assert.deepEqual(p.stageBase(0), { kind: 'image', ref: 'img:arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    const run = p.planStage(0, base).steps[2];
    assert.deepEqual(run.kind === 'run' && run.buildArgsInUse, ['TARGETOS=override', 'TARGETPLATFORM=linux/arm64/v8']);
    assert.equal(p.unusedArgsWarning(), undefined);
  });

  it('FROM --platform: a foreign platform is refused clearly; bad values fail to parse', () => {
    const foreign = plan('FROM --platform=linux/arm64 img\n');
    assert.throws(() => foreign.stageBase(0), /^InstructionError: platform linux\/arm64 is not supported: this daemon builds and runs linux\/amd64 images only$/);
    assert.throws(() => plan('FROM --platform=windows img\n').stageBase(0), /platform windows\/amd64 is not supported/);
    assert.throws(() => plan('FROM --platform=linux/a:b img\n').stageBase(0), /failed to parse platform linux\/a:b: "a:b" is an invalid component of "linux\/a:b"/);
    assert.throws(() => plan('FROM --platform=$NOPE img\n').stageBase(0), /empty platform value from expression \$NOPE/);
    assert.deepEqual(plan('FROM --platform=x86_64 img\n').stageBase(0), { kind: 'image', ref: 'img', platform: { os: 'linux', architecture: 'amd64' } });
  });

  it('blank base names, duplicate stage names, undeclared FROM args', () => {
    assert.throws(() => plan('FROM $NOPE\n'), /line 1: base name \(\$NOPE\) should not be blank|base name \(\$NOPE\) should not be blank/);
    assert.throws(() => plan('FROM a AS x\nFROM b AS X\n'), /x stage name already used/);
    assert.deepEqual(
      plan('FROM img:${VERSION:-1}\n').warnings.map((w) => w.message),
      ["FROM argument 'VERSION' is not declared"],
    );
  });

  it('ONBUILD triggers are checked when they run', () => {
    const p = plan('FROM x\n');
    assert.throws(() => p.planStage(0, { id: 'sha256:x', config: { OnBuild: ['FROB y'] } }), /unknown instruction: FROB/);
    assert.throws(() => p.planStage(0, { id: 'sha256:x', config: { OnBuild: ['RUN a\nRUN b'] } }), /onbuild trigger should be a single expression/);
    const ok = p.planStage(0, { id: 'sha256:x', config: { OnBuild: ['ENV A=1', 'ENV B=$A'] } });
    assert.equal(ok.triggerMessage, '# Executing 2 build triggers');
    assert.deepEqual(ok.config.Env?.slice(1), ['A=1', 'B=1']);
  });

  it('check=error=true fails on a warning the file has', () => {
    assert.throws(() => plan('# check=error=true\nFROM x\nMAINTAINER me\n'), /lint violation found for rules: MaintainerDeprecated/);
    const stage = plan('# check=skip=JSONArgsRecommended\nFROM x\nCMD run me\n').planStage(0, base);
    assert.deepEqual(stage.warnings, []);
    assert.deepEqual(
      plan('FROM x\nCMD run me\n').planStage(0, base).warnings.map((w) => w.message),
      ['JSON arguments recommended for CMD to prevent unintended behavior related to OS signals'],
    );
  });
});
