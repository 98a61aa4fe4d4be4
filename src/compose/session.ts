// What a compose command works with besides the project: the engine, the two output streams,
// progress displays, the build port, a clock, and ctrl-c. The CLI builds it once per command;
// unit tests build it over the fake engine with captured output and a fake clock.
import type { BuildAction } from './executor.ts';
import type { ComposeEngine } from './engine.ts';
import { createProgress, noProgressColors, ansiProgressColors, type Output, type ProgressMode, type ProgressWriter } from './progress.ts';

export interface Session {
  engine: ComposeEngine;
  stdout: Output;
  stderr: Output;
  /** The progress mode (--progress, --ansi, whether stderr is a terminal). */
  progressMode: ProgressMode;
  /** Whether logs and statuses are coloured (--ansi, --no-color, stdout a terminal). */
  color: boolean;
  /** Builds a service's image (pack the context, POST /build, print the output). */
  build?: (action: BuildAction, options: { quiet: boolean }) => Promise<unknown>;
  /** compose's --parallel: 0 or less for no limit. */
  parallel: number;
  sleep(ms: number): Promise<void>;
  now(): number;
  /**
   * Calls `handler` on each ctrl-c (SIGINT/SIGTERM) until the returned function is called; the
   * handler gets how many came so far (compose: the first stops gracefully, the second kills).
   */
  onInterrupt(handler: (count: number) => void): () => void;
}

/** A progress display on stderr, as compose draws it. */
export function progressOn(session: Session, title = 'Running'): ProgressWriter {
  return createProgress({ mode: session.progressMode, out: session.stderr, title, colors: session.color ? ansiProgressColors : noProgressColors, now: session.now });
}

/** logrus's warning line, as compose prints its warnings on stderr. */
export function warn(session: Session, message: string): void {
  session.stderr.write(`${session.color ? '\x1b[33mWARN\x1b[0m' : 'WARN'}[0000] ${message}\n`);
}
