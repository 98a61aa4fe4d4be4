import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStages, type Command, type Dockerfile } from './instructions.ts';

const stages = (text: string): Dockerfile => parseStages(text);
const only = (line: string): Command => stages(`FROM scratch\n${line}\n`).stages[0].commands[0];
const fails = (text: string, message: RegExp) => assert.throws(() => stages(text), message);

describe('instructions', () => {
  it('FROM: AS names (lower-cased, validated), --platform, argument counts', () => {
    const df = stages('ARG V=1\nFROM --platform=linux/amd64 busybox:${V} AS Build\nFROM build\n');
    assert.deepEqual(
      df.stages.map((s) => [s.baseName, s.name, s.platform, s.code]),
      [
        ['busybox:${V}', 'build', 'linux/amd64', 'FROM --platform=linux/amd64 busybox:${V} AS Build'],
        ['build', '', '', 'FROM build'],
      ],
    );
    assert.equal(df.metaArgs.length, 1);
    assert.deepEqual(
      df.warnings.map((w) => w.message),
      ["Stage name 'Build' should be lowercase"],
    );
    fails('FROM a AS 1x\n', /line 1: invalid name for build stage: "1x", name can't start with a number or contain symbols/);
    fails('FROM a b\n', /FROM requires either one or three arguments/);
    fails('FROM\n', /FROM requires either one or three arguments/);
    fails('FROM --platfrom=x a\n', /unknown flag: --platfrom \(did you mean platform\?\)/);
    fails('FROM --plat=x a\n', /unknown flag: --plat$/);
    fails('RUN true\n', /line 1: no build stage in current context/);
    assert.match(stages('from a as b\nFROM c AS d\nfrom e AS f\n').warnings.map((w) => w.message).join('\n'), /'AS' and 'from' keywords' casing do not match/);
  });

  it('ENV and LABEL: both syntaxes, quotes kept until expansion', () => {
    const env = only('ENV A=1 B="two words" C=three\\ words');
    assert.equal(env.kind, 'env');
    assert.deepEqual(env.kind === 'env' && env.env, [
      { key: 'A', value: '1', noDelim: false },
      { key: 'B', value: '"two words"', noDelim: false },
      { key: 'C', value: 'three\\ words', noDelim: false },
    ]);
    const legacy = only('LABEL maintainer Jane Doe <jane@example.com>');
    assert.deepEqual(legacy.kind === 'label' && legacy.labels, [{ key: 'maintainer', value: 'Jane Doe <jane@example.com>', noDelim: true }]);
    assert.deepEqual(
      stages('FROM x\nLABEL a b\n').warnings.map((w) => w.rule),
      ['LegacyKeyValueFormat'],
    );
    fails('FROM x\nENV =x\n', /ENV names can not be blank/);
    fails('FROM x\nLABEL\n', /LABEL requires at least one argument/);
  });

  it('COPY and ADD flags, heredoc sources, destination rules', () => {
    const copy = only('COPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=tmp a b /dst/');
    assert.equal(copy.kind, 'copy');
    if (copy.kind !== 'copy') return;
    assert.deepEqual(
      [copy.from, copy.chown, copy.chmod, copy.link, copy.parents, copy.exclude, copy.sources, copy.dest],
      ['build', 'app:app', '0644', true, true, ['*.md', 'tmp'], ['a', 'b'], '/dst/'],
    );
    const add = only('ADD --checksum=sha256:abc --keep-git-dir=false --unpack https://x/y.tgz /opt/');
    assert.deepEqual(add.kind === 'add' && [add.checksum, add.keepGitDir, add.unpack], ['sha256:abc', false, true]);
    const heredoc = stages('FROM x\nCOPY <<-EOT <<"RAW" /etc/\n\thello $A\n\tEOT\n$B\nRAW\n').stages[0].commands[0];
    assert.deepEqual(heredoc.kind === 'copy' && [heredoc.sources, heredoc.contents], [
      [],
      [
        { path: 'EOT', data: 'hello $A\n', expand: true },
        { path: 'RAW', data: '$B\n', expand: false },
      ],
    ]);
    fails('FROM x\nCOPY a\n', /COPY requires at least two arguments, but only one was provided. Destination could not be determined/);
    fails('FROM x\nCOPY --from=a --from=b x y\n', /duplicate flag specified: --from/);
    fails('FROM x\nCOPY --chown x y\n', /missing a value on flag: --chown/);
    fails('FROM x\nCOPY --link=maybe x y\n', /expecting boolean value for flag --link, not: maybe/);
    fails('FROM x\nCOPY --checksum=sha256:a x y\n', /unknown flag: --checksum/);
    fails('FROM x\nCOPY a <<EOF\nx\nEOF\n', /COPY cannot accept a heredoc as a destination/);
  });

  it('RUN: shell and exec forms, --network, --mount checked early, heredoc files', () => {
    const run = only('RUN --network=none --mount=type=cache,target=/root/.cache apk add x');
    assert.deepEqual(run.kind === 'run' && [run.cmdLine, run.prependShell, run.network, run.mounts, run.flagsUsed], [
      ['apk add x'],
      true,
      'none',
      ['type=cache,target=/root/.cache'],
      ['network', 'mount'],
    ]);
    const exec = only('RUN ["echo", "hi"]');
    assert.deepEqual(exec.kind === 'run' && [exec.cmdLine, exec.prependShell], [['echo', 'hi'], false]);
    const here = stages('FROM x\nRUN <<EOF\necho hi\nEOF\n').stages[0].commands[0];
    assert.deepEqual(here.kind === 'run' && here.files, [{ name: 'EOF', data: 'echo hi\n', chomp: false }]);
    fails('FROM x\nRUN --network=bridge true\n', /invalid network mode "bridge"/);
    fails('FROM x\nRUN --mount=from=$X,target=/x true\n', /'from' doesn't support variable expansion, define alias stage instead/);
    fails('FROM x\nRUN --security=insecure true\n', /unknown flag: --security/);
  });

  it('CMD, ENTRYPOINT, SHELL forms', () => {
    const cmd = only('CMD echo "hi there"');
    assert.deepEqual(cmd.kind === 'cmd' && [cmd.cmdLine, cmd.prependShell], [['echo "hi there"'], true]);
    const reset = only('ENTRYPOINT []');
    assert.deepEqual(reset.kind === 'entrypoint' && reset.cmdLine, null);
    const shell = only('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
    assert.deepEqual(shell.kind === 'shell' && shell.shell, ['/bin/bash', '-o', 'pipefail', '-c']);
    fails('FROM x\nSHELL /bin/bash -c\n', /SHELL requires the arguments to be in JSON form/);
    fails('FROM x\nSHELL []\n', /SHELL requires at least one argument/);
  });

  it('HEALTHCHECK: every option, NONE, and their errors', () => {
    const hc = only('HEALTHCHECK --interval=30s --timeout=3s --start-period=1m --start-interval=2s --retries=4 CMD ["curl", "-f", "http://localhost/"]');
    assert.deepEqual(hc.kind === 'healthcheck' && hc.health, {
      Test: ['CMD', 'curl', '-f', 'http://localhost/'],
      Interval: 30e9,
      Timeout: 3e9,
      StartPeriod: 60e9,
      StartInterval: 2e9,
      Retries: 4,
    });
    const shell = only('HEALTHCHECK CMD curl -f http://localhost/ || exit 1');
    assert.deepEqual(shell.kind === 'healthcheck' && shell.health.Test, ['CMD-SHELL', 'curl -f http://localhost/ || exit 1']);
    const none = only('HEALTHCHECK none');
    assert.deepEqual(none.kind === 'healthcheck' && none.health, { Test: ['NONE'] });
    const zero = only('HEALTHCHECK --interval=0s CMD x');
    assert.equal(zero.kind === 'healthcheck' && zero.health.Interval, 0);
    fails('FROM x\nHEALTHCHECK NONE x\n', /HEALTHCHECK NONE takes no arguments/);
    fails('FROM x\nHEALTHCHECK --interval=5s NONE\n', /unknown flag: --interval/);
    fails('FROM x\nHEALTHCHECK CONNECT TCP 7000\n', /Unknown type "CONNECT" in HEALTHCHECK \(try CMD\)/);
    fails('FROM x\nHEALTHCHECK CMD\n', /Missing command after HEALTHCHECK CMD/);
    fails('FROM x\nHEALTHCHECK\n', /HEALTHCHECK requires at least one argument/);
    fails('FROM x\nHEALTHCHECK --interval=1us CMD x\n', /Interval "interval" cannot be less than 1ms/);
    fails('FROM x\nHEALTHCHECK --timeout=soon CMD x\n', /time: invalid duration "soon"/);
    fails('FROM x\nHEALTHCHECK --retries=-1 CMD x\n', /--retries cannot be negative \(-1\)/);
    fails('FROM x\nHEALTHCHECK --retries=x CMD x\n', /strconv.ParseInt: parsing "x": invalid syntax/);
  });

  it('ONBUILD restrictions and the stored expression', () => {
    const ob = only('ONBUILD   COPY --from=x a b');
    assert.deepEqual(ob.kind === 'onbuild' && ob.expression, 'COPY --from=x a b');
    const here = stages('FROM x\nONBUILD RUN <<EOF\necho $A\nEOF\n').stages[0].commands[0];
    assert.equal(here.kind === 'onbuild' && here.expression, 'RUN <<EOF\necho $A\nEOF');
    fails('FROM x\nONBUILD ONBUILD RUN x\n', /Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed/);
    fails('FROM x\nONBUILD FROM y\n', /FROM isn't allowed as an ONBUILD trigger/);
    fails('FROM x\nONBUILD maintainer y\n', /MAINTAINER isn't allowed as an ONBUILD trigger/);
    fails('FROM x\nONBUILD\n', /ONBUILD requires at least one argument/);
  });

  it('EXPOSE (sorted as BuildKit sorts it), USER, VOLUME, WORKDIR, STOPSIGNAL, ARG, MAINTAINER', () => {
    assert.deepEqual(only('EXPOSE 9000 5000 6000/udp').kind === 'expose' && (only('EXPOSE 9000 5000 6000/udp') as { ports: string[] }).ports, ['5000', '6000/udp', '9000']);
    assert.deepEqual(only('VOLUME ["/a", "/b"]').kind === 'volume' && (only('VOLUME ["/a", "/b"]') as { volumes: string[] }).volumes, ['/a', '/b']);
    const arg = only('ARG A B=2 C=');
    assert.deepEqual(arg.kind === 'arg' && arg.args, [{ key: 'A' }, { key: 'B', value: '2' }, { key: 'C', value: '' }]);
    assert.match(stages('FROM x\nMAINTAINER me\n').warnings[0].message, /Maintainer instruction is deprecated in favor of using label/);
    fails('FROM x\nUSER\n', /USER requires exactly one argument/);
    fails('FROM x\nWORKDIR\n', /WORKDIR requires exactly one argument/);
    fails('FROM x\nVOLUME [""]\n', /VOLUME specified can not be an empty string/);
    fails('FROM x\nSTOPSIGNAL\n', /STOPSIGNAL requires exactly one argument/);
    fails('FROM x\nSTOPSIGNAL --x=1 TERM\n', /unknown flag: --x/);
    fails('FROM x\nARG =1\n', /ARG names can not be blank/);
    fails('FROM x\nEXPOSE\n', /EXPOSE requires at least one argument/);
    fails('FROM x\nMAINTAINER\n', /MAINTAINER requires exactly one argument/);
  });

  it('unknown instructions fail with their line, suggesting the nearest one', () => {
    fails('FROM x\n\nFROB y\n', /^DockerfileParseError: dockerfile parse error on line 3: unknown instruction: FROB \(did you mean FROM\?\)$/);
    fails('FROM x\nXYZZY y\n', /^DockerfileParseError: dockerfile parse error on line 2: unknown instruction: XYZZY$/);
    fails('FROM x\nCOPPY a b\n', /unknown instruction: COPPY \(did you mean COPY\?\)/);
    fails('FROM x\nrunn a\n', /unknown instruction: runn \(did you mean run\?\)/);
  });

  it('lints: repeated CMD, casing, check directive', () => {
    const df = stages('FROM x\nCMD a\nCMD b\nrun true\n');
    assert.deepEqual(
      df.warnings.map((w) => [w.rule, w.line]),
      [
        ['ConsistentInstructionCasing', 4],
        ['MultipleInstructionsDisallowed', 2],
      ],
    );
    assert.deepEqual(stages('# check=skip=all\nFROM x\n').check, { skip: 'all', error: false });
    fails('# check=frob=1\nFROM x\n', /invalid check option "frob"/);
  });
});
