// The real docker CLI (docker 28 on this machine) pointed at berthd with DOCKER_HOST: the same
// commands, output and exit statuses a user gets from dockerd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { busyboxRootfsTar, startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst, dockerBin } from '../helpers/docker-cli.ts';

let d: TestDaemon;
let rootfs: string;

const docker = (args: string[], input?: string): RunResult => dockerAgainst(d, args, input);
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

describe('docker CLI: save, load, export, commit, image prune, system df against berthd', () => {
  const sh = (script: string) =>
    spawnSync('bash', ['-c', `set -o pipefail; ${script}`], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.base}/docker-config`, DOCKER_CLI_HINTS: 'false', DOCKER: dockerBin },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('commit with -a -m -c, then the image runs', () => {
    ok(['run', '--name', 'xfer-src', 'busybox', 'sh', '-c', 'echo committed > /msg; rm /bin/vi']);
    assert.match(ok(['commit', '-a', 'compat', '-m', 'via docker', '-c', 'CMD ["cat", "/msg"]', '-c', 'LABEL compat-transfer=1', 'xfer-src', 'xfer:1']), /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(ok(['run', '--rm', 'xfer:1']), 'committed\n');
    assert.equal(ok(['image', 'inspect', '-f', '{{.Author}}|{{.Comment}}|{{.Config.Labels}}', 'xfer:1']), 'compat|via docker|map[compat-transfer:1]\n');
    assert.equal(docker(['run', '--rm', 'xfer:1', 'ls', '/bin/vi']).code, 1);
  });

  it('save -o and to stdout, load -i and from stdin', () => {
    const file = `${d.base}/xfer.tar`;
    ok(['save', '-o', file, 'xfer:1']);
    const piped = sh(`"$DOCKER" save xfer:1 | sha256sum | cut -d' ' -f1; sha256sum < ${file} | cut -d' ' -f1`);
    assert.equal(piped.status, 0, piped.stderr);
    const [a, b] = piped.stdout.trim().split('\n');
    assert.equal(a, b);
    ok(['rm', 'xfer-src']);
    ok(['rmi', 'xfer:1']);
    assert.equal(ok(['load', '-i', file]), 'Loaded image: xfer:1\n');
    ok(['rmi', 'xfer:1']);
    const fromStdin = sh(`"$DOCKER" load < ${file}`);
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, 'Loaded image: xfer:1\n');
    assert.equal(ok(['run', '--rm', 'xfer:1']), 'committed\n');
    const bad = sh(`head -c 3000 ${file} | "$DOCKER" load`);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unexpected EOF|not found/);
  });

  it('export and import round trip', () => {
    ok(['create', '--name', 'xfer-ex', 'xfer:1']);
    const r = sh(`"$DOCKER" export xfer-ex | "$DOCKER" import -c 'CMD ["cat", "/msg"]' - xfer-flat:1`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(ok(['run', '--rm', 'xfer-flat:1']), 'committed\n');
    ok(['export', '-o', `${d.base}/xfer-ex.tar`, 'xfer-ex']);
    assert.equal(sh(`tar -tf ${d.base}/xfer-ex.tar | grep -c '^msg$'`).stdout, '1\n');
    ok(['rm', 'xfer-ex']);
  });

  it('image prune and system df', () => {
    ok(['run', '--name', 'xfer-dang', 'busybox', 'true']);
    const dangling = ok(['commit', 'xfer-dang']).trim();
    ok(['rm', 'xfer-dang']);
    assert.match(ok(['image', 'prune', '-f']), new RegExp(`^Deleted Images:\ndeleted: ${dangling}\n(deleted: sha256:[0-9a-f]{64}\n)*\nTotal reclaimed space: [\\d.]+k?B\n$`));
    assert.match(ok(['image', 'prune', '-a', '-f', '--filter', 'label=compat-transfer=1']), /^Deleted Images:\nuntagged: xfer:1\ndeleted: sha256:/);
    const df = ok(['system', 'df']);
    assert.match(df, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages +\d+ +\d+ +[\d.]+[kM]?B +[\d.]+[kM]?B \(\d+%\)\nContainers +\d+ +\d+ /);
    assert.match(df, /\nLocal Volumes +\d+ +\d+ +[\d.]+[kM]?B +[\d.]+[kM]?B( \(\d+%\))?\nBuild Cache +0 +0 +0B +0B\n$/);
    assert.match(ok(['system', 'df', '-v']), /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
  });
});

describe('docker CLI: volumes, mounts, cp and diff against berthd', () => {
  it('volume create, ls, inspect, rm and prune', () => {
    assert.equal(ok(['volume', 'create', '--label', 'compat-vol=1', 'cv-one']), 'cv-one\n');
    assert.equal(ok(['volume', 'create', '-d', 'local', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=4m', 'cv-tmp']), 'cv-tmp\n');
    assert.match(ok(['volume', 'ls']), /^DRIVER +VOLUME NAME\n(.*\n)*local +cv-one\n/);
    assert.equal(ok(['volume', 'ls', '-q', '--filter', 'label=compat-vol=1']), 'cv-one\n');
    const [v] = JSON.parse(ok(['volume', 'inspect', 'cv-one']));
    assert.deepEqual(Object.keys(v).sort(), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.equal(v.Mountpoint, `${d.dataRoot}/volumes/cv-one/_data`);
    assert.equal(ok(['volume', 'inspect', '-f', '{{.Options.o}}', 'cv-tmp']), 'size=4m\n');
    const missing = docker(['volume', 'inspect', 'cv-nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such volume/);
    const bad = docker(['volume', 'create', 'bad/name']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"bad\/name" includes invalid characters for a local volume name/);
    ok(['create', '--name', 'cv-user', '-v', 'cv-one:/x', 'busybox', 'true']);
    const inUse = docker(['volume', 'rm', 'cv-one']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^Error response from daemon: remove cv-one: volume is in use - \[[0-9a-f]{64}\]\n$/);
    ok(['rm', 'cv-user']);
    assert.equal(ok(['volume', 'rm', 'cv-one', 'cv-tmp']), 'cv-one\ncv-tmp\n');
    ok(['volume', 'create', 'cv-named']);
    ok(['run', '--rm', '-v', 'cv-named:/n', 'busybox', 'true']);
    ok(['create', '--name', 'cv-anon', '-v', '/anon', 'busybox', 'true']);
    ok(['rm', 'cv-anon']); // without -v: the anonymous volume stays, for prune
    const pruned = ok(['volume', 'prune', '-f']);
    assert.match(pruned, /^Deleted Volumes:\n[0-9a-f]{64}\n(.*\n)*\nTotal reclaimed space: /);
    assert.doesNotMatch(pruned, /cv-named/);
    assert.match(ok(['volume', 'prune', '-a', '-f', '--filter', 'label!=keep']), /cv-named/);
  });

  it('run with -v, --mount, --tmpfs, --volumes-from, --read-only; inspect Mounts; rm -v', () => {
    const host = `${d.base}/compat-bind`;
    const r = spawnSync('sh', ['-c', `mkdir -p ${host} && echo from-host > ${host}/f && echo conf > ${d.base}/compat.conf`]);
    assert.equal(r.status, 0);
    const out = ok(['run', '--name', 'cv-run', '--read-only', '-v', `${host}:/h:ro`, '-v', `${d.base}/compat.conf:/etc/app.conf`, '-v', 'cv-data:/data',
      '--mount', 'type=tmpfs,dst=/scratch,tmpfs-size=1m', '--tmpfs', '/run', 'busybox', 'sh', '-c',
      'cat /h/f /etc/app.conf; echo kept > /data/f; touch /h/x 2>/dev/null || echo ro; touch /x 2>/dev/null || echo rofs; echo t > /scratch/t && cat /scratch/t']);
    assert.equal(out, 'from-host\nconf\nro\nrofs\nt\n');
    const mounts = JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'cv-run'])) as Array<Record<string, unknown>>;
    const byDest = Object.fromEntries(mounts.map((m) => [m.Destination, m]));
    assert.deepEqual(byDest['/h'], { Type: 'bind', Source: host, Destination: '/h', Mode: 'ro', RW: false, Propagation: 'rprivate' });
    assert.deepEqual(byDest['/data'], { Type: 'volume', Name: 'cv-data', Source: `${d.dataRoot}/volumes/cv-data/_data`, Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
    assert.deepEqual(byDest['/scratch'], { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' });
    assert.equal(ok(['run', '--rm', '--volumes-from', 'cv-run:ro', 'busybox', 'sh', '-c', 'cat /data/f; touch /data/y 2>/dev/null || echo ro']), 'kept\nro\n');
    ok(['run', '--name', 'cv-anon2', '-v', '/anon2', 'busybox', 'true']);
    const anon = ok(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'cv-anon2']).trim();
    assert.match(anon, /^[0-9a-f]{64}$/);
    assert.equal(ok(['rm', '-fv', 'cv-anon2']), 'cv-anon2\n');
    assert.equal(docker(['volume', 'inspect', anon]).code, 1);
    ok(['rm', 'cv-run']);
    const rel = docker(['run', '--rm', '-v', 'rel/dir:/x', 'busybox', 'true']);
    assert.equal(rel.code, 125);
    assert.match(rel.stderr, /includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed. If you intended to pass a host directory, use absolute path/);
    const missing = docker(['run', '--rm', '--mount', `type=bind,src=${d.base}/no-such-dir,dst=/x`, 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /invalid mount config for type "bind": bind source path does not exist: .*no-such-dir/);
  });

  it('cp both ways on running and stopped containers, into volumes; diff', () => {
    const src = `${d.base}/compat-cp`;
    assert.equal(spawnSync('sh', ['-c', `mkdir -p ${src}/sub && echo one > ${src}/a && echo two > ${src}/sub/b && ln -s a ${src}/l`]).status, 0);
    ok(['run', '-d', '--name', 'cv-cp', '-v', 'cv-cpvol:/vol', 'busybox', 'sleep', '600']);
    ok(['cp', src, 'cv-cp:/tmp/']);
    ok(['cp', `${src}/a`, 'cv-cp:/vol/a-in-volume']);
    assert.equal(ok(['exec', 'cv-cp', 'cat', '/tmp/compat-cp/sub/b', '/vol/a-in-volume']), 'two\none\n');
    ok(['stop', '-t', '0', 'cv-cp']);
    ok(['cp', 'cv-cp:/tmp/compat-cp', `${d.base}/compat-out`]);
    assert.equal(spawnSync('cat', [`${d.base}/compat-out/sub/b`], { encoding: 'utf8' }).stdout, 'two\n');
    assert.equal(spawnSync('readlink', [`${d.base}/compat-out/l`], { encoding: 'utf8' }).stdout, 'a\n');
    ok(['cp', '-L', 'cv-cp:/tmp/compat-cp/l', `${d.base}/compat-followed`]);
    assert.equal(spawnSync('cat', [`${d.base}/compat-followed`], { encoding: 'utf8' }).stdout, 'one\n');
    ok(['cp', 'cv-cp:/vol/a-in-volume', `${d.base}/compat-from-vol`]);
    assert.equal(spawnSync('cat', [`${d.base}/compat-from-vol`], { encoding: 'utf8' }).stdout, 'one\n');
    const tar = spawnSync('sh', ['-c', `"${dockerBin}" cp cv-cp:/tmp/compat-cp/a - | tar -tf -`], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.base}/docker-config` } });
    assert.equal(tar.stdout, 'a\n');
    const into = spawnSync('sh', ['-c', `tar -C ${src} -cf - sub | "${dockerBin}" cp - cv-cp:/tmp/`], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.base}/docker-config` } });
    assert.equal(into.status, 0, into.stderr);
    const noParent = docker(['cp', `${src}/a`, 'cv-cp:/no/such/dir/a']);
    assert.equal(noParent.code, 1);
    assert.match(noParent.stderr, /Could not find the file \/no\/such\/dir in container cv-cp/);
    const diff = ok(['diff', 'cv-cp']).split('\n');
    for (const line of ['C /tmp', 'A /tmp/compat-cp', 'A /tmp/compat-cp/a', 'A /tmp/sub', 'A /vol']) assert.ok(diff.includes(line), `missing ${line} in ${diff.join('|')}`);
    ok(['run', '--name', 'cv-diff', 'busybox', 'sh', '-c', 'rm /bin/true; echo x >> /etc/passwd']);
    const diff2 = ok(['diff', 'cv-diff']).split('\n');
    for (const line of ['C /bin', 'D /bin/true', 'C /etc', 'C /etc/passwd']) assert.ok(diff2.includes(line), `missing ${line} in ${diff2.join('|')}`);
    ok(['rm', '-f', 'cv-cp', 'cv-diff']);
  });
});

describe('docker CLI: pull, push, login and search against berthd and a docker-registry', () => {
  let open: import('../integration/distribution/registry-helpers.ts').RunningRegistry | undefined;
  let locked: import('../integration/distribution/registry-helpers.ts').RunningRegistry | undefined;
  before(async () => {
    const { startRegistry } = await import('../integration/distribution/registry-helpers.ts');
    open = await startRegistry(d.base);
    locked = await startRegistry(d.base, { kind: 'htpasswd', user: 'carol', password: 'pw-carol' });
  });
  after(async () => {
    await open?.stop();
    await locked?.stop();
  });

  it('push and pull with docker\'s output', () => {
    const name = `${open!.host}/compat/bb`;
    ok(['pull', 'busybox']);
    ok(['tag', 'busybox', `${name}:v1`]);
    const push = ok(['push', `${name}:v1`]);
    assert.match(push, new RegExp(`^The push refers to repository \\[${open!.host}/compat/bb\\]$`, 'm'));
    assert.match(push, /^[0-9a-f]{12}: Pushed$/m);
    const digest = /^v1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(push)?.[1];
    assert.ok(digest, push);
    ok(['rmi', `${name}:v1`]);
    const pull = ok(['pull', `${name}:v1`]);
    assert.match(pull, /^v1: Pulling from compat\/bb$/m);
    assert.match(pull, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pull, new RegExp(`^Status: (Downloaded newer image|Image is up to date) for ${name}:v1$`, 'm'));
    assert.match(pull, new RegExp(`^${name}:v1$`, 'm'));
    assert.match(ok(['images', '--digests', '--format', '{{.Repository}} {{.Digest}}']), new RegExp(`${name} ${digest}`));
    assert.equal(ok(['run', '--rm', `${name}:v1`, 'echo', 'from registry']), 'from registry\n');
    const search = ok(['search', `${open!.host}/compat`]);
    assert.match(search, new RegExp(`${open!.host}/compat/bb`));
  });

  it('login (X-Registry-Auth on push and pull), wrong password, logout', () => {
    const name = `${locked!.host}/compat/secret`;
    ok(['tag', 'busybox', `${name}:1`]);
    const denied = docker(['push', `${name}:1`]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /no basic auth credentials/);
    const wrong = docker(['login', '-u', 'carol', '--password-stdin', locked!.host], 'nope\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /401 Unauthorized/);
    const login = docker(['login', '-u', 'carol', '--password-stdin', locked!.host], 'pw-carol\n');
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    assert.match(ok(['push', `${name}:1`]), /1: digest: sha256:/);
    ok(['rmi', `${name}:1`]);
    assert.match(ok(['pull', `${name}:1`]), /Digest: sha256:/);
    ok(['logout', locked!.host]);
    ok(['rmi', `${name}:1`]);
    assert.equal(docker(['pull', `${name}:1`]).code, 1);
  });
});
