// A healthcheck probe: one short-lived process in a running container, run with `runc exec`
// directly as berthd's child rather than under a conmon of its own (as exec sessions are). A
// probe needs no attach socket, no tty and no life beyond berthd's: its output comes back on
// pipes and it costs one process per run instead of two. When it outlives its timeout, its
// process is killed by the pid runc recorded (runc itself would pass on a SIGTERM but cannot
// pass on a SIGKILL).
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { runcMessage } from './errors.ts';
import { serializeSpec, type OciSpec } from './spec.ts';

export interface ProbeOptions {
  containerId: string;
  /** Names the probe's files in the bundle. */
  probeId: string;
  process: OciSpec['process'];
  timeoutMs: number;
  /** Output bytes kept (stdout and stderr together, in arrival order). */
  maxOutput: number;
}

export interface ProbeResult {
  /** The process's exit code; undefined when it could not be started (see `error`). */
  exitCode?: number;
  /** Why the process could not be started (runc's message). */
  error?: string;
  output: Buffer;
  /** More output came than `maxOutput`. */
  truncated: boolean;
  /** The timeout passed and the process was killed. */
  timedOut: boolean;
}

/** The last probe spec written per bundle: a container's probes all run the same process. */
const written = new Map<string, string>();

export async function runProbe(paths: { runtimePath: string; runcRoot: string; bundle: string }, o: ProbeOptions): Promise<ProbeResult> {
  const specPath = join(paths.bundle, 'probe.json');
  const pidPath = join(paths.bundle, `probe-${o.probeId}.pid`);
  const spec = serializeSpec(o.process);
  // a bundle made again (the container restarted) has lost the file: check it is still there
  if (written.get(paths.bundle) !== spec || !(await fsp.access(specPath).then(() => true, () => false))) {
    await fsp.writeFile(specPath, spec);
    written.set(paths.bundle, spec);
    if (written.size > 4096) written.delete(written.keys().next().value!);
  }
  const child = spawn(paths.runtimePath, ['--root', paths.runcRoot, '--log-format', 'json', 'exec', '--process', specPath, '--pid-file', pidPath, o.containerId], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  const take = (d: Buffer) => {
    const room = o.maxOutput - kept;
    if (room > 0) {
      chunks.push(d.length > room ? d.subarray(0, room) : d);
      kept += Math.min(room, d.length);
    }
    if (d.length > room) truncated = true;
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void (async () => {
      const pid = Number.parseInt(await fsp.readFile(pidPath, 'utf8').catch(() => ''), 10);
      try {
        if (pid > 1) process.kill(pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // it ended meanwhile
      }
    })();
  }, o.timeoutMs);
  try {
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
    });
    const started = await fsp.access(pidPath).then(
      () => true,
      () => false,
    );
    const output = Buffer.concat(chunks);
    if (!started && !timedOut) {
      return { error: runcMessage(output.toString('utf8')) || `runc exec failed (exit status ${exitCode})`, output: Buffer.alloc(0), truncated: false, timedOut };
    }
    return { exitCode, output, truncated, timedOut };
  } finally {
    clearTimeout(timer);
    await fsp.rm(pidPath, { force: true });
  }
}
