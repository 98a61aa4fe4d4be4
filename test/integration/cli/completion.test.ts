// `berth completion bash` as a user installs it: the generated script is sourced by a real bash,
// which is then asked for candidates the way readline asks it (COMP_LINE, COMP_POINT, the
// function `complete -p berth` names). The names come from a real berthd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let dir: string;
let script: string;

before(async () => {
  d = await startDaemon();
  dir = mkdtempSync('/tmp/berth-completion-');
  d.berthOk(['pull', 'busybox']);
  d.berthOk(['tag', 'busybox', 'tools/debug:1.0']);
  d.berthOk(['run', '-d', '--name', 'web-frontend', 'busybox', 'sleep', '600']);
  d.berthOk(['run', '-d', '--name', 'web-backend', 'busybox', 'sleep', '600']);
  d.berthOk(['create', '--name', 'web-stopped', 'busybox', 'true']);
  d.berthOk(['network', 'create', 'webnet']);
  d.berthOk(['volume', 'create', 'webdata']);
  const r = spawnSync(join(repoRoot, 'bin', 'berth'), ['completion', 'bash'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  script = join(dir, 'berth.bash');
  writeFileSync(script, r.stdout);
});
after(async () => {
  await d?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** What bash offers for `line` (the cursor at its end), after sourcing the generated script. */
function candidates(line: string, env: Record<string, string> = {}): string[] {
  const driver = `
set -u
source "$1"
spec=$(complete -p berth)                     # the function bash would call for berth
fn=\${spec##*-F }; fn=\${fn%% *}
COMP_LINE=$2; COMP_POINT=\${#COMP_LINE}
read -r -a COMP_WORDS <<< "$COMP_LINE"
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); [[ $COMP_LINE == *" " ]] && COMP_CWORD=\${#COMP_WORDS[@]}
COMPREPLY=()
"$fn" berth "\${COMP_WORDS[COMP_CWORD]-}" "\${COMP_WORDS[COMP_CWORD-1]-}"
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const r = spawnSync('bash', ['-c', driver, 'driver', script, line], {
    env: { ...process.env, PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}`, BERTH_HOST: d.host, BERTH_CONFIG: join(dir, 'config'), ...env },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('berth completion bash, in bash', () => {
  it('registers a completion function for berth', () => {
    const r = spawnSync('bash', ['-c', 'source "$1"; complete -p berth', 'x', script], { encoding: 'utf8' });
    assert.match(r.stdout, /^complete -o default -F \S+ berth$/m);
  });

  it('completes commands, subcommands and flags', () => {
    assert.deepEqual(candidates('berth sto'), ['stop']);
    assert.ok(candidates('berth sta').includes('start'));
    assert.deepEqual(candidates('berth netw'), ['network']);
    assert.deepEqual(candidates('berth network c'), ['connect', 'create']);
    assert.deepEqual(candidates('berth run --rest'), ['--restart']);
    assert.deepEqual(candidates('berth run --restart '), ['always', 'no', 'on-failure', 'unless-stopped']);
    assert.ok(candidates('berth ps -').includes('--all'));
    assert.deepEqual(candidates('berth context '), ['create', 'export', 'import', 'inspect', 'ls', 'rm', 'show', 'update', 'use']);
  });

  it('completes the live names of running and stopped containers', () => {
    assert.deepEqual(candidates('berth stop web'), ['web-backend', 'web-frontend']);
    assert.deepEqual(candidates('berth start web'), ['web-stopped']);
    assert.deepEqual(candidates('berth rm web'), ['web-backend', 'web-frontend', 'web-stopped']);
    assert.deepEqual(candidates('berth exec -it web-f'), ['web-frontend']);
    assert.deepEqual(candidates('berth exec -it web-frontend '), [], 'the command run in the container is not completed');
    d.berthOk(['stop', '-t', '0', 'web-backend']);
    assert.deepEqual(candidates('berth stop web'), ['web-frontend'], 'asked of the daemon at each <TAB>');
  });

  it('completes images (the part after ":" as bash replaces it), networks, volumes and contexts', () => {
    assert.deepEqual(candidates('berth run --rm tools/'), ['tools/debug:1.0']);
    assert.deepEqual(candidates('berth rmi busybox:'), ['latest']);
    assert.deepEqual(candidates('berth run --network web'), ['webnet']);
    assert.deepEqual(candidates('berth run --network=web'), ['webnet']);
    assert.deepEqual(candidates('berth network connect webnet web-f'), ['web-frontend']);
    assert.deepEqual(candidates('berth volume inspect web'), ['webdata']);
    assert.deepEqual(candidates('berth cp web-f'), ['web-frontend:'], "cp's CONTAINER:PATH");
    spawnSync(join(repoRoot, 'bin', 'berth'), ['context', 'create', 'web-remote', '--docker', 'host=tcp://127.0.0.1:1'], { env: { ...process.env, BERTH_CONFIG: join(dir, 'config') } });
    assert.deepEqual(candidates('berth context use '), ['default', 'web-remote']);
    assert.deepEqual(candidates('berth --context w'), ['web-remote']);
  });

  it('offers no names, and no error, when the daemon does not answer', () => {
    assert.deepEqual(candidates('berth stop ', { BERTH_HOST: `unix://${join(dir, 'nothing.sock')}` }), []);
    assert.deepEqual(candidates('berth sto', { BERTH_HOST: `unix://${join(dir, 'nothing.sock')}` }), ['stop']);
  });
});

describe('berth completion fish and zsh', () => {
  it('gives fish the same candidates, with their descriptions', () => {
    const fishScript = join(dir, 'berth.fish');
    const r = spawnSync(join(repoRoot, 'bin', 'berth'), ['completion', 'fish'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(fishScript, r.stdout);
    const ask = (line: string) => {
      const f = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', fishScript, line], {
        env: { ...process.env, PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}`, BERTH_HOST: d.host, BERTH_CONFIG: join(dir, 'config') },
        encoding: 'utf8',
      });
      assert.equal(f.status, 0, f.stderr);
      return f.stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(ask('berth sto'), ['stop\tStop one or more running containers']);
    assert.deepEqual(ask('berth network inspect webn'), ['webnet']);
    assert.deepEqual(ask('berth exec web-f'), ['web-frontend']);
  });

  it('gives zsh the candidates, through _describe, and _files where a command takes a path', () => {
    const zshScript = join(dir, '_berth');
    const r = spawnSync(join(repoRoot, 'bin', 'berth'), ['completion', 'zsh'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^#compdef berth\n/);
    writeFileSync(zshScript, r.stdout);
    // compdef, _describe and _files exist only inside zsh's completion system (a ZLE widget):
    // here they print what they were given, and the script's function runs as a widget runs it.
    const driver = `
compdef() { :; }; _describe() { shift 3; print -rl -- "\${(@P)1}"; }; _files() { print _files; }
source $1
words=(\${=2}); [[ $2 == *" " ]] && words+=(""); CURRENT=\${#words}
_berth`;
    const ask = (line: string) => {
      const z = spawnSync('zsh', ['-f', '-c', driver, 'driver', zshScript, line], {
        env: { ...process.env, PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}`, BERTH_HOST: d.host, BERTH_CONFIG: join(dir, 'config') },
        encoding: 'utf8',
      });
      assert.equal(z.stderr, '');
      return z.stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(ask('berth sto'), ['stop:Stop one or more running containers']);
    assert.deepEqual(ask('berth rmi busybox:'), ['busybox\\:latest'], 'the colon escaped for _describe');
    assert.deepEqual(ask('berth volume rm web'), ['webdata']);
    assert.deepEqual(ask('berth save -o '), ['_files']);
  });
});
