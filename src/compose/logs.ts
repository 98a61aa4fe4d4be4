// Container output as compose shows it (cmd/formatter/logs.go): each line behind its container's
// name, padded to the longest name, `web-1  | hello`, the name in a colour of its own when colours
// are on; statuses ("web-1 exited with code 0") in that colour. Used by `up` (attached) and `logs`.
import { labels } from './labels.ts';
import type { ComposeEngine, LogLine } from './engine.ts';
import type { Output } from './progress.ts';
import type { ContainerSummary } from '../types/index.ts';

const sgr = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
/** compose's rainbow: cyan, yellow, green, magenta, blue, then their intense forms. */
const rainbow = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'].map(sgr);
const monochrome = (s: string) => s;

export interface LogConsumerOptions {
  color: boolean;
  prefix: boolean;
  /** Prefix each line with the local time (up --timestamps). */
  timestamps: boolean;
  now?: () => Date;
}

export class LogConsumer {
  readonly #stdout: Output;
  readonly #stderr: Output;
  readonly #o: LogConsumerOptions;
  readonly #presenters = new Map<string, { colors: (s: string) => string; prefix: string }>();
  #next = 0;
  #muted = false;

  constructor(stdout: Output, stderr: Output, options: LogConsumerOptions) {
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.#o = options;
  }

  register(name: string): void {
    if (this.#presenters.has(name)) return;
    const colors = this.#o.color ? rainbow[this.#next++ % rainbow.length] : monochrome;
    this.#presenters.set(name, { colors, prefix: '' });
    if (!this.#o.prefix) return;
    const width = Math.max(...[...this.#presenters.keys()].map((n) => n.length)) + 1;
    for (const [n, p] of this.#presenters) p.prefix = p.colors(`${n.padEnd(width)} | `);
  }

  #presenter(name: string) {
    if (!this.#presenters.has(name)) this.register(name);
    return this.#presenters.get(name)!;
  }

  log(name: string, line: string): void {
    this.#write(this.#stdout, name, line);
  }

  err(name: string, line: string): void {
    this.#write(this.#stderr, name, line);
  }

  /** No more lines: the project is being stopped (compose stops printing once it aborts). */
  mute(): void {
    this.#muted = true;
  }

  #write(out: Output, name: string, message: string): void {
    if (this.#muted) return;
    const p = this.#presenter(name);
    const ts = this.#o.timestamps ? `${(this.#o.now?.() ?? new Date()).toISOString()} ` : '';
    for (const line of message.split('\n')) out.write(`${p.prefix}${ts}${line}\n`);
  }

  status(name: string, message: string): void {
    const p = this.#presenter(name);
    this.#stdout.write(p.colors(`${this.#o.color ? '\r\x1b[K' : ''}${name} ${message}`) + '\n');
  }
}

/** The name compose shows for a container: without the project's prefix (`web-1`). */
export function shortName(c: Pick<ContainerSummary, 'Names' | 'Labels'>): string {
  const name = (c.Names?.[0] ?? '').replace(/^\//, '');
  const project = c.Labels?.[labels.project];
  return project && name.startsWith(`${project}-`) ? name.slice(project.length + 1) : name;
}

/** Sends a container's log lines to the consumer until its stream ends (or is closed). */
export async function pumpLogs(consumer: LogConsumer, name: string, lines: AsyncIterable<LogLine>): Promise<void> {
  for await (const l of lines) {
    if (l.stream === 'stderr') consumer.err(name, l.text);
    else consumer.log(name, l.text);
  }
}

export interface LogsOptions {
  follow: boolean;
  tail?: string;
  timestamps: boolean;
  since?: string;
  until?: string;
}

/** `compose logs`: each container's logs through the consumer, one container after the other unless following. */
export async function showLogs(engine: ComposeEngine, consumer: LogConsumer, containers: readonly ContainerSummary[], options: LogsOptions, signal?: AbortSignal): Promise<void> {
  const sorted = [...containers].sort((a, b) => shortName(a).localeCompare(shortName(b)));
  for (const c of sorted) consumer.register(shortName(c));
  const one = async (c: ContainerSummary) => {
    const view = await engine.inspectContainer(c.Id);
    const stream = await engine.logs(c.Id, { follow: options.follow, tail: options.tail, timestamps: options.timestamps, since: options.since, until: options.until, tty: view.Config.Tty });
    const stop = () => stream.close();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await pumpLogs(consumer, shortName(c), stream);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  };
  if (options.follow) await Promise.all(sorted.map(one));
  else for (const c of sorted) await one(c);
}
