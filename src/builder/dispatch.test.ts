import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyContainerConfig } from '../types/index.ts';
import { BuildArgs } from './build-args.ts';
import { beginStageConfig, copyCommit, StageEvaluator, type CopyStep, type RunStep, type StepPlan } from './dispatch.ts';
import { goQuoteHealthcheck } from './history.ts';
import { parseStages } from './instructions.ts';
import { resolveStageReference } from './stage-graph.ts';

/** Dispatches the commands of a one-stage file (`FROM x` prepended) on a config. */
function run(lines: string[], options: { env?: string[]; buildArgs?: Map<string, string | null>; workdir?: string } = {}) {
  const df = parseStages(`FROM x AS self\n${lines.join('\n')}\n`);
  const config = { ...emptyContainerConfig(), Env: options.env ?? ['PATH=/bin'], WorkingDir: options.workdir ?? '' };
  const evaluator = new StageEvaluator({
    args: new BuildArgs(options.buildArgs ?? new Map()),
    escapeToken: df.escapeToken,
    config,
    resolveSource: (name) => resolveStageReference([{ name: 'self' }], name),
  });
  const steps: StepPlan[] = df.stages[0].commands.map((c) => evaluator.dispatch(c));
  return { steps, config: evaluator.config, warnings: evaluator.warnings };
}
const last = <T extends StepPlan['kind']>(lines: string[], kind: T, options = {}) => {
  const step = run(lines, options).steps.at(-1)!;
  assert.equal(step.kind, kind);
  return step as Extract<StepPlan, { kind: T }>;
};

describe('stage evaluation', () => {
  it('FROM: PATH is defaulted, stdin options are reset, Image is the base', () => {
    const c = beginStageConfig({ Env: ['A=1'], OpenStdin: true, StdinOnce: true, Cmd: ['sh'] }, 'sha256:b');
    assert.deepEqual([c.Env, c.OpenStdin, c.StdinOnce, c.Cmd, c.Image], [['A=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], false, false, ['sh'], 'sha256:b']);
    assert.deepEqual(beginStageConfig(null, '').Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    assert.deepEqual(beginStageConfig({ Env: ['PATH=/x'] }, '').Env, ['PATH=/x']);
  });

  it('ENV replaces an existing key in place and expands with the env before the instruction', () => {
    const { config, steps } = run(['ENV A=1 PATH=/usr/bin:$PATH', 'ENV A=2 B=$A', 'ENV C ${A} and ${B}']);
    assert.deepEqual(config.Env, ['PATH=/usr/bin:/bin', 'A=2', 'B=1', 'C=2 and 1']);
    assert.equal(steps[1].kind === 'metadata' && steps[1].createdBy, '/bin/sh -c #(nop)  ENV A=2 B=1');
  });

  it('WORKDIR: relative to the previous one, absolute kept as written, expanded, warned when relative first', () => {
    const { config, steps, warnings } = run(['WORKDIR a', 'WORKDIR b/../c', 'ENV D=/srv', 'WORKDIR $D/x', 'WORKDIR /abs/./y']);
    assert.deepEqual(
      steps.map((s) => s.kind === 'workdir' && s.path),
      ['/a', '/a/c', false, '/srv/x', '/abs/./y'],
    );
    assert.equal(config.WorkingDir, '/abs/./y');
    assert.deepEqual(
      warnings.map((w) => w.message),
      ['Relative workdir "a" can have unexpected results if the base image changes'],
    );
    assert.throws(() => run(['WORKDIR $NOPE']), /^InstructionError: cannot normalize nothing$/);
  });

  it('USER, VOLUME, STOPSIGNAL, LABEL expand; EXPOSE splits words after expansion', () => {
    const { config, steps } = run(['ENV U=app V="/a /b" P="80 443/udp" S=TERM', 'USER $U:$U', 'VOLUME $V', 'STOPSIGNAL SIG$S', 'LABEL "$U"=$V', 'EXPOSE $P 8080']);
    assert.deepEqual([config.User, config.Volumes, config.StopSignal, config.Labels], ['app:app', { '/a /b': {} }, 'SIGTERM', { app: '/a /b' }]);
    assert.deepEqual(Object.keys(config.ExposedPorts ?? {}).sort(), ['443/udp', '80/tcp', '8080/tcp']);
    assert.equal(steps.at(-1)!.kind === 'metadata' && (steps.at(-1) as { createdBy: string }).createdBy, '/bin/sh -c #(nop)  EXPOSE 80 443/udp 8080');
    assert.throws(() => run(['EXPOSE 70000']), /invalid containerPort: 70000/);
    assert.throws(() => run(['EXPOSE 80/icmp']), /invalid proto: icmp/);
    assert.throws(() => run(['EXPOSE 1.2.3.4:80-81:90-92']), /invalid ranges specified for container and host Ports: 90-92 and 80-81/);
    assert.deepEqual(Object.keys(run(['EXPOSE [::1]:80-81:90']).config.ExposedPorts ?? {}), ['90/tcp']);
    assert.throws(() => run(['STOPSIGNAL SIGFROB']), /Invalid signal: SIGFROB/);
    assert.throws(() => run(['ENV E=', 'VOLUME $E']), /VOLUME specified can not be an empty string/);
  });

  it('CMD and ENTRYPOINT: SHELL wraps the shell form; ENTRYPOINT drops an inherited CMD', () => {
    const a = run(['SHELL ["/bin/bash", "-c"]', 'CMD echo $HOME', 'ENTRYPOINT ["tini", "--"]']);
    assert.deepEqual([a.config.Cmd, a.config.Entrypoint], [['/bin/bash', '-c', 'echo $HOME'], ['tini', '--']]);
    assert.deepEqual(a.warnings, [], 'no JSON-args warning once SHELL is set');
    const b = run(['ENTRYPOINT top -b']);
    assert.deepEqual([b.config.Entrypoint, b.config.Cmd], [['/bin/sh', '-c', 'top -b'], null]);
    assert.deepEqual(
      b.warnings.map((w) => [w.rule, w.line]),
      [['JSONArgsRecommended', 2]],
    );
    const c = run(['CMD []']);
    assert.deepEqual(c.config.Cmd, []);
  });

  it('HEALTHCHECK: the note when overriding, zero fields left out of the config', () => {
    const { steps, config } = run(['HEALTHCHECK --interval=5s CMD a', 'HEALTHCHECK --retries=2 CMD ["b"]', 'HEALTHCHECK NONE', 'HEALTHCHECK CMD c']);
    assert.deepEqual(
      steps.map((s) => s.notes),
      [[], ['Note: overriding previous HEALTHCHECK: [CMD-SHELL a]'], ['Note: overriding previous HEALTHCHECK: [CMD b]'], []],
    );
    assert.deepEqual(config.Healthcheck, { Test: ['CMD-SHELL', 'c'] });
    assert.equal(goQuoteHealthcheck({ Test: ['CMD', 'x'], StartInterval: 1e9, Retries: 65 }), `&{["CMD" "x"] "0s" "0s" "0s" "1s" 'A'}`);
  });

  it('RUN: exec form as is, SHELL for the shell form, user and workdir of the stage', () => {
    const step = last(['USER nobody', 'WORKDIR /w', 'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]', 'RUN make | tee log'], 'run');
    assert.deepEqual([step.args, step.user, step.workingDir, step.network, step.createdBy], [['/bin/ash', '-eo', 'pipefail', '-c', 'make | tee log'], 'nobody', '/w', 'default', '/bin/ash -eo pipefail -c make | tee log']);
    assert.deepEqual(last(['RUN ["/bin/echo", "$HOME"]'], 'run').args, ['/bin/echo', '$HOME']);
    assert.throws(() => run(['RUN']), /RUN requires at least one argument/);
  });

  it('RUN heredocs: a script with #! becomes a file, a plain one the shell command, others reconstituted', () => {
    const script = run(['RUN <<EOF', '#!/usr/bin/env python3', 'print(1)', 'EOF']).steps[0] as RunStep;
    assert.deepEqual([script.args, script.inlineFiles], [['/bin/sh', '-c', '/dev/pipes/EOF'], [{ path: '/dev/pipes/EOF', data: '#!/usr/bin/env python3\nprint(1)\n', mode: 0o755 }]]);
    const plain = run(['RUN <<-EOT', '\techo a', '\techo b', '\tEOT']).steps[0] as RunStep;
    assert.deepEqual([plain.args, plain.inlineFiles], [['/bin/sh', '-c', 'echo a\necho b\n'], []]);
    const complex = run(['RUN cat <<A > /a && cat <<B > /b', 'one', 'A', 'two', 'B']).steps[0] as RunStep;
    assert.deepEqual(complex.args, ['/bin/sh', '-c', 'cat <<A > /a && cat <<B > /b\none\nA\ntwo\nB']);
  });

  it('RUN --mount: defaults, targets made absolute, sources resolved, secrets, cache ids', () => {
    const step = last(
      [
        'WORKDIR /src',
        'ARG CACHE=/root/.cache',
        'RUN --mount=type=cache,target=$CACHE,sharing=locked,uid=1000,mode=0700 \\',
        '    --mount=type=bind,from=self,source=/out,target=out \\',
        '    --mount=type=bind,target=/ctx,rw \\',
        '    --mount=type=tmpfs,target=/tmp,size=64m \\',
        '    --mount=type=secret,id=npmrc,target=/root/.npmrc \\',
        '    --mount=type=secret,id=token,env=TOKEN,required \\',
        '    --mount=type=secret,source=aws \\',
        '    --network=none make',
      ],
      'run',
    );
    assert.deepEqual(step.mounts, [
      { type: 'cache', id: '/root/.cache', sharing: 'locked', source: '/', target: '/root/.cache', readOnly: false, uid: 1000, mode: 0o700 },
      { type: 'bind', from: { kind: 'stage', index: 0, name: 'self' }, source: '/out', target: '/src/out', readOnly: true },
      { type: 'bind', from: { kind: 'context' }, source: '/', target: '/ctx', readOnly: false },
      { type: 'tmpfs', target: '/tmp', sizeLimit: 64 * 1024 * 1024 },
      { type: 'secret', id: 'npmrc', target: '/root/.npmrc', required: false, uid: 0, gid: 0, mode: 0o400 },
      { type: 'secret', id: 'token', env: 'TOKEN', required: true, uid: 0, gid: 0, mode: 0o400 },
      { type: 'secret', id: 'aws', target: '/run/secrets/aws', required: false, uid: 0, gid: 0, mode: 0o400 },
    ]);
    assert.equal(step.network, 'none');
    assert.throws(() => run(['RUN --mount=type=ssh true']), /RUN --mount=type=ssh is not supported/);
    assert.throws(() => run(['RUN --mount=type=bind,target=/ true']), /invalid mount target "\/"/);
    assert.throws(() => run(['RUN --mount=type=secret true']), /invalid secret mount. one of source, target required/);
  });

  it('COPY and ADD: expansion, destination against WORKDIR, --from, --chmod, heredoc files', () => {
    const copy = last(['WORKDIR /app', 'ARG F=main.go', 'ARG D=bin/', 'COPY --chown=$F:1 --chmod=750 $F lib/ ${D}', 'COPY --from=self /x ./y'], 'copy', {});
    assert.deepEqual([copy.sources, copy.dest, copy.destPath, copy.from, copy.preserveOwnership], [['/x'], './y', '/app/y', { kind: 'stage', index: 0, name: 'self' }, true]);
    const first = run(['WORKDIR /app', 'ARG F=main.go', 'ARG D=bin/', 'COPY --chown=$F:1 --chmod=750 $F lib/ ${D}']).steps.at(-1) as CopyStep;
    assert.deepEqual([first.sources, first.dest, first.destPath, first.chown, first.chmod, first.preserveOwnership], [['main.go', 'lib/'], 'bin/', '/app/bin/', 'main.go:1', 0o750, false]);
    assert.equal(copyCommit(first, 'multi:abc').createdBy, '/bin/sh -c #(nop) COPY --chown=main.go:1multi:abc in bin/ ');
    const here = run(['ENV NAME=world', 'COPY <<EOF <<"RAW" /etc/', 'hello $NAME "quoted"', 'EOF', '$NAME', 'RAW']).steps.at(-1) as CopyStep;
    assert.deepEqual(here.contents, [
      { path: 'EOF', data: 'hello world "quoted"\n' },
      { path: 'RAW', data: '$NAME\n' },
    ]);
    const add = last(['ADD --checksum=sha256:' + 'a'.repeat(64) + ' https://example.com/x.tgz /opt/'], 'copy');
    assert.deepEqual([add.instructionName, add.checksum, add.sources], ['ADD', 'sha256:' + 'a'.repeat(64), ['https://example.com/x.tgz']]);
    assert.throws(() => run(['COPY --chmod=u+x a b']), /invalid chmod parameter: 'u\+x'. it should be octal string and between 0 and 07777/);
    assert.throws(() => run(['COPY --chmod=17777 a b']), /invalid chmod parameter/);
    assert.throws(() => run(['COPY https://example.com/x /x']), /source can't be a URL for COPY/);
    assert.throws(() => run(['ADD --checksum=sha256:00 a b']), /checksum requires HTTP\(S\) or Git sources/);
    assert.throws(() => run(['ADD --checksum=md5:00 https://x/y b']), /invalid checksum digest format/);
    assert.throws(() => run(['ADD git@github.com:moby/moby.git /src']), /ADD from a git repository is not supported/);
    const image = last(['COPY --from=nginx:1 /etc/nginx /x'], 'copy');
    assert.deepEqual([image.from, image.preserveOwnership], [{ kind: 'image', ref: 'nginx:1' }, true]);
  });

  it('errors carry the instruction line', () => {
    try {
      run(['ENV A=1', 'USER ${A:?must be set}${B:?B is required}']);
      assert.fail('expected an error');
    } catch (err) {
      assert.equal((err as { line?: number }).line, 3);
      assert.match((err as Error).message, /^failed to process "\$\{A:\?must be set\}\$\{B:\?B is required\}": B: B is required$/);
    }
  });
});
