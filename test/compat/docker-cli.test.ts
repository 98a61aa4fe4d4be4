// The real docker CLI (docker 28 on this machine) pointed at berthd with DOCKER_HOST: the same
// commands, output and exit statuses a user gets from dockerd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { busyboxRootfsTar, startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';

let d: TestDaemon;
let rootfs: string;
const dockerBin = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => spawnSync(p, ['--version']).status === 0) ?? 'docker';

function docker(args: string[], input?: string): RunResult {
  const r = spawnSync(dockerBin, args, {
    env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.base}/docker-config`, DOCKER_CLI_HINTS: 'false' },
    input: input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};

before(async () => {
  d = await startDaemon();
  rootfs = busyboxRootfsTar(d.base);
  const v = spawnSync(dockerBin, ['--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0, `the docker CLI is required for compat tests (${dockerBin})`);
});
after(async () => {
  await d?.cleanup();
});

describe('docker CLI against berthd', () => {
  it('version and info', () => {
    const v = ok(['version']);
    assert.match(v, /Server: Berth Engine\n Engine:\n {2}Version: +0\.1\.0\n {2}API version: +1\.43 \(minimum version 1\.24\)/);
    assert.match(v, /API version: +1\.43 \(downgraded from 1\.\d+\)/);
    assert.equal(ok(['version', '--format', '{{.Server.APIVersion}}']), '1.43\n');
    const info = ok(['info']);
    assert.match(info, /Storage Driver: overlay2/);
    assert.match(info, /Server Version: 0\.1\.0/);
    assert.equal(ok(['info', '--format', '{{.Driver}} {{.Images}}']), 'overlay2 0\n');
  });

  it('import, images, history, tag and rmi', () => {
    assert.match(ok(['import', '-c', 'CMD ["sh"]', rootfs, 'imported:1']), /^sha256:[0-9a-f]{64}\n$/);
    assert.match(ok(['images']), /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\nimported +1 +[0-9a-f]{12} +.* ago +[\d.]+MB\n$/);
    assert.match(ok(['history', 'imported:1']), /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT\n[0-9a-f]{12} +.* ago +[\d.]+MB +Imported from -\n$/);
    ok(['tag', 'imported:1', 'retagged']);
    assert.match(ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), /retagged:latest/);
    assert.equal(ok(['rmi', 'retagged']), 'Untagged: retagged:latest\n');
    const missing = docker(['rmi', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
  });

  it('run --rm busybox echo hi, pulling the built-in busybox first', () => {
    const r = docker(['run', '--rm', 'busybox', 'echo', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    assert.match(r.stderr, /Unable to find image 'busybox:latest' locally/);
    assert.equal(docker(['run', '--rm', 'busybox', 'echo', 'again']).stderr, '');
  });

  it("run's exit codes: the container's, 125, 126, 127", () => {
    assert.equal(docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 42']).code, 42);
    const notFound = docker(['run', '--rm', 'busybox', 'nosuchcmd']);
    assert.equal(notFound.code, 127);
    assert.match(notFound.stderr, /exec: "nosuchcmd": executable file not found in \$PATH/);
    assert.equal(docker(['run', '--rm', 'busybox', '/etc/passwd']).code, 126);
    assert.equal(docker(['run', '--rm', '--name', 'bad name', 'busybox', 'true']).code, 125);
    assert.equal(docker(['run', '--nosuchflag', 'busybox']).code, 125);
  });

  it('run -d, ps, logs, inspect -f, stop, start, restart, kill, wait, rename, rm -f', () => {
    const id = ok(['run', '-d', '--name', 'svc', 'busybox', 'sh', '-c', 'echo started; echo oops >&2; trap "exit 0" TERM; while true; do sleep 0.1; done']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = ok(['ps']);
    assert.match(ps, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES\n/);
    assert.match(ps, new RegExp(`${id.slice(0, 12)} +busybox +"sh -c 'echo started…" +.* ago +Up .* +svc\\n`));
    let logs = docker(['logs', 'svc']);
    for (let i = 0; i < 20 && !logs.stdout; i++) logs = docker(['logs', 'svc']);
    assert.equal(logs.stdout, 'started\n');
    assert.equal(logs.stderr, 'oops\n');
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.Config.Image}} {{.Name}}', 'svc']), 'running busybox /svc\n');
    assert.equal(ok(['stop', 'svc']), 'svc\n');
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'svc']), 'exited 0\n');
    assert.equal(ok(['start', 'svc']), 'svc\n');
    assert.equal(ok(['restart', '-t', '2', 'svc']), 'svc\n');
    assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'svc']), 'true\n');
    assert.equal(ok(['rename', 'svc', 'svc2']), '');
    assert.equal(ok(['kill', 'svc2']), 'svc2\n');
    assert.equal(ok(['wait', 'svc2']), '137\n');
    assert.match(ok(['ps', '-a', '--filter', 'name=svc2']), /Exited \(137\)/);
    assert.equal(ok(['rm', '-f', 'svc2']), 'svc2\n');
    const gone = docker(['inspect', 'svc2']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Error: No such object: svc2/);
  });

  it('errors as dockerd words them', () => {
    const stop = docker(['stop', 'ghost']);
    assert.equal(stop.code, 1);
    assert.equal(stop.stderr, 'Error response from daemon: No such container: ghost\n');
    ok(['create', '--name', 'idle', 'busybox', 'true']);
    const kill = docker(['kill', 'idle']);
    assert.equal(kill.code, 1);
    assert.match(kill.stderr, /Error response from daemon: Cannot kill container: idle: Container [0-9a-f]{64} is not running/);
    const dup = docker(['create', '--name', 'idle', 'busybox', 'true']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /Conflict\. The container name "\/idle" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\./);
    ok(['create', '--name', 'uses-imported', 'imported:1']);
    const rmi = docker(['rmi', 'imported:1']);
    assert.equal(rmi.code, 1);
    assert.match(rmi.stderr, /conflict: unable to remove repository reference "imported:1" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}/);
  });

  it('ps and images --format, -q, --no-trunc', () => {
    assert.ok(ok(['ps', '-aq']).trim().split('\n').every((l) => /^[0-9a-f]{12}$/.test(l)));
    assert.match(ok(['ps', '-a', '--no-trunc', '-q']).trim().split('\n')[0], /^[0-9a-f]{64}$/);
    assert.equal(ok(['ps', '-a', '--filter', 'name=idle', '--format', '{{.Names}}|{{.Status}}']), 'idle|Created\n');
    const json = JSON.parse(ok(['ps', '-a', '--filter', 'name=idle', '--format', 'json']).trim());
    assert.equal(json.Names, 'idle');
    assert.match(ok(['images', '-q']), /^[0-9a-f]{12}\n/);
  });
});
