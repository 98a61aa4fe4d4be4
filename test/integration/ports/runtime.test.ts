// runc under conmon against the ContainerRuntime contract FakeRuntime passes in the unit tier: a
// busybox root file system, its own exec root and cgroup parent, all removed afterwards.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { findExecutable } from '../../../src/daemon/tools.ts';
import { runtimeContract } from '../../../src/engine/runtime.contract.ts';
import { ConmonRuntime, buildSpec } from '../../../src/runtime/index.ts';
import { loadSyscalls } from '../../../src/sys/index.ts';

const base = mkdtempSync('/tmp/berth-runtime-contract-');
const rootfs = join(base, 'rootfs');
const execRoot = join(base, 'exec');
const cgroupParent = `berth-rc-${process.pid}`;
mkdirSync(join(rootfs, 'bin'), { recursive: true });
copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
const searchPath = (process.env.PATH ?? '').split(':').filter(Boolean);

after(() => {
  // conmon processes of containers a failed test left, by the pid files in their bundles
  const bundles = join(execRoot, 'containers');
  for (const id of existsSync(bundles) ? readdirSync(bundles) : []) {
    for (const file of ['conmon.pid', 'pidfile']) {
      try {
        process.kill(Number(readFileSync(join(bundles, id, file), 'utf8').trim()), 'SIGKILL');
      } catch {
        // gone
      }
    }
    spawnSync('runc', ['--root', join(execRoot, 'runc'), 'delete', '--force', id]);
  }
  for (const root of ['/sys/fs/cgroup', ...readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c))]) {
    const dir = join(root, cgroupParent);
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) spawnSync('rmdir', [join(dir, e.name)]);
    spawnSync('rmdir', [dir]);
  }
  rmSync(base, { recursive: true, force: true });
});

runtimeContract('ConmonRuntime (runc)', async () => {
  const runtime = new ConmonRuntime({
    execRoot,
    runtimePath: findExecutable('runc', searchPath),
    conmonPath: findExecutable('conmon', searchPath, ['/usr/libexec/podman', '/usr/lib/podman']),
    sys: loadSyscalls(),
  });
  await runtime.init();
  return {
    runtime,
    createOptions: (id) => ({
      id,
      name: id.slice(0, 12),
      spec: buildSpec({
        id,
        rootfs,
        readonlyRootfs: false,
        hostname: 'contract',
        args: ['/bin/busybox', 'sleep', '600'],
        env: ['PATH=/bin'],
        cwd: '/',
        user: { uid: 0, gid: 0, additionalGids: [] },
        terminal: false,
        privileged: false,
        capAdd: [],
        capDrop: [],
        mounts: [],
        network: { mode: 'private' },
        pid: { mode: 'private' },
        ipc: { mode: 'private' },
        uts: { mode: 'private' },
        cgroupns: 'private',
        cgroupsPath: `/${cgroupParent}/${id}`,
        shmSize: 64 << 20,
        maskedPaths: null,
        readonlyPaths: null,
      }),
      log: { driver: 'k8s-file', path: join(base, `${id}.log`) },
      stdin: false,
      leaveStdinOpen: false,
    }),
    close: () => runtime.close(),
  };
});
