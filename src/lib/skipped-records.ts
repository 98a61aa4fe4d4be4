// Records berthd could not load at start-up (a truncated file, a field of the wrong type): each
// is reported once in the log and skipped, so that one bad record never breaks a listing, and
// GET /info lists them in its Warnings until berthd restarts. The files stay where they are, for
// whoever wants to repair them.
import { silentLogger, type Logger } from './log.ts';

export type RecordKind = 'container' | 'image' | 'layer' | 'network' | 'volume' | 'repositories.json';

export class SkippedRecords {
  #log: Logger;
  #warnings: string[] = [];
  #seen = new Set<string>();

  constructor(log: Logger = silentLogger) {
    this.#log = log;
  }

  /** `where` names the record (an id, a name, a file); `problem` says what is wrong with it. */
  report(kind: RecordKind, where: string, problem: string): void {
    const key = `${kind}\u0000${where}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#log.warn('skipping a malformed record', { kind, record: where, problem });
    this.#warnings.push(`WARNING: skipped a malformed ${kind} record (${where}): ${problem}`);
  }

  /** What GET /info shows. */
  warnings(): string[] {
    return [...this.#warnings];
  }
}
