// Running a helper program to its end (runc, ps, ip, iptables-restore, mount, busybox): the one
// place that spawns one and turns its exit into a result or an error, so that every subsystem
// reports a failed program the same way: "<cmd> <args>: <stderr, or exit status N>", as Go's
// exec.ExitError reads in dockerd's messages. Long-lived children with their own stdio (conmon,
// a decompressor in a pipeline) are spawned where they are used: they are not run "to the end".
import { execFile } from 'node:child_process';

export interface RunProgramOptions {
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  cwd?: string;
  /** Killed (SIGTERM) after this long; its result is then a failure. */
  timeoutMs?: number;
  /** Output beyond this fails the run (default 16 MiB). */
  maxBuffer?: number;
}

export interface ProgramResult {
  /** The exit status; 1 when killed by a signal or the output was too long, 127 when it could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

/** A program that ended with a non-zero status (or could not be started, or was killed). */
export class ProgramError extends Error {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(cmd: string, args: readonly string[], result: ProgramResult, options?: { cause?: unknown }) {
    super(`${[cmd, ...args].join(' ')}: ${result.stderr.trim() || `exit status ${result.code}`}`, options);
    this.name = 'ProgramError';
    this.cmd = cmd;
    this.args = args;
    this.code = result.code;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

const defaultMaxBuffer = 16 << 20;

/** Runs `cmd` to its end and reports how it ended; never rejects. */
export function runProgram(cmd: string, args: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult & { error?: Error }> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      {
        maxBuffer: options.maxBuffer ?? defaultMaxBuffer,
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ code: 0, stdout: String(stdout), stderr: String(stderr) });
          return;
        }
        const errno = (err as { code?: unknown }).code;
        // a string code is an errno from spawning (ENOENT, EACCES): the program never ran
        const started = typeof errno !== 'string';
        resolve({
          code: typeof errno === 'number' ? errno : started ? 1 : 127,
          stdout: String(stdout ?? ''),
          stderr: started ? String(stderr ?? '') : err.message,
          error: err,
        });
      },
    );
    // a program that exits without reading its input must not fail the run with EPIPE
    child.stdin?.on('error', () => {});
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs `cmd` to its end; its output when it succeeded, else a ProgramError. */
export async function execProgram(cmd: string, args: readonly string[], options: RunProgramOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const { error, ...result } = await runProgram(cmd, args, options);
  if (result.code !== 0) throw new ProgramError(cmd, args, result, { cause: error });
  return { stdout: result.stdout, stderr: result.stderr };
}
