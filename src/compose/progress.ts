// What `up`, `down`, `stop`… show while they work, as compose v2 (pkg/progress) shows it: one
// line per resource (" ✔ Container app-web-1  Started"), redrawn in place under
// "[+] Running 3/3" on a terminal; elsewhere each event printed once as it happens (compose's
// plain mode), or as JSON lines (--progress json), or nothing (quiet). Compose writes this to
// stderr; the caller chooses the stream.
import { humanSize } from '../lib/index.ts';

export type EventStatus = 'working' | 'done' | 'warning' | 'error';

export interface ProgressEvent {
  /** "Container app-web-1", "Network app_default", `Volume "app_data"`, a service name for pulls. */
  id: string;
  /** Pull layers are children of their image's line. */
  parentId?: string;
  text?: string;
  status: EventStatus;
  /** "Started", "Created", "Error response from daemon: …". */
  statusText: string;
  current?: number;
  total?: number;
  percent?: number;
}

export interface ProgressWriter {
  event(e: ProgressEvent): void;
  /** A message printed once the progress display is done (after the last frame on a terminal). */
  tail(message: string): void;
  /** Prints the final state; the writer must not be used afterwards. */
  stop(): void;
}

export type ProgressMode = 'tty' | 'plain' | 'quiet' | 'json';

export const working = (id: string, statusText: string): ProgressEvent => ({ id, status: 'working', statusText });
export const done = (id: string, statusText: string): ProgressEvent => ({ id, status: 'done', statusText });
export const warning = (id: string, statusText: string): ProgressEvent => ({ id, status: 'warning', statusText });
export const failed = (id: string, statusText = 'Error'): ProgressEvent => ({ id, status: 'error', statusText });

export interface Output {
  write(s: string): unknown;
  columns?: number;
  rows?: number;
}

/** Colours of pkg/progress (aec), or none. */
export interface ProgressColors {
  done(s: string): string;
  timer(s: string): string;
  count(s: string): string;
  warning(s: string): string;
  success(s: string): string;
  error(s: string): string;
}

const sgr = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export const ansiProgressColors: ProgressColors = {
  done: sgr('34'),
  timer: sgr('34'),
  count: sgr('33'),
  warning: sgr('33;1'),
  success: sgr('32'),
  error: sgr('31;1'),
};
const same = (s: string) => s;
export const noProgressColors: ProgressColors = { done: same, timer: same, count: same, warning: same, success: same, error: same };

export interface ProgressOptions {
  mode: ProgressMode;
  out: Output;
  /** "Running", "Stopping", "Pulling"… after "[+] ". */
  title?: string;
  colors?: ProgressColors;
  /** ms since the epoch; a fake clock in tests. */
  now?: () => number;
  /** Redraws on a timer (terminal mode); tests pass false and call render(). */
  animate?: boolean;
}

export function createProgress(options: ProgressOptions): ProgressWriter & { render(): void } {
  switch (options.mode) {
    case 'quiet':
      return { event() {}, tail() {}, stop() {}, render() {} };
    case 'json':
      return new JsonProgress(options.out);
    case 'plain':
      return new PlainProgress(options.out);
    case 'tty':
      return new TtyProgress(options);
  }
}

/** compose's plainWriter: fmt.Fprintln("", id, text, statusText), spaces and all. */
class PlainProgress implements ProgressWriter {
  readonly #out: Output;
  constructor(out: Output) {
    this.#out = out;
  }
  event(e: ProgressEvent): void {
    this.#out.write(` ${e.id} ${e.text ?? ''} ${e.statusText}\n`);
  }
  tail(message: string): void {
    this.#out.write(`${message}\n`);
  }
  stop(): void {}
  render(): void {}
}

class JsonProgress implements ProgressWriter {
  readonly #out: Output;
  constructor(out: Output) {
    this.#out = out;
  }
  event(e: ProgressEvent): void {
    const m: Record<string, unknown> = {};
    if (e.id) m.id = e.id;
    if (e.parentId) m.parent_id = e.parentId;
    if (e.text) m.text = e.text;
    if (e.statusText) m.status = e.statusText;
    if (e.current) m.current = e.current;
    if (e.total) m.total = e.total;
    if (e.percent) m.percent = e.percent;
    this.#out.write(`${JSON.stringify(m)}\n`);
  }
  tail(message: string): void {
    this.#out.write(`${JSON.stringify({ tail: true, text: message })}\n`);
  }
  stop(): void {}
  render(): void {}
}

interface Line extends ProgressEvent {
  start: number;
  end?: number;
  spinner: number;
}

const spinnerChars = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const percentChars = ['⠀', '⡀', '⣀', '⣄', '⣤', '⣦', '⣶', '⣷', '⣿'];

/** The visible width of a string with SGR sequences. */
function visibleLength(s: string): number {
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/** compose's ttyWriter: the whole block redrawn in place, a spinner or a mark per line, timers on the right. */
class TtyProgress implements ProgressWriter {
  readonly #out: Output;
  readonly #title: string;
  readonly #colors: ProgressColors;
  readonly #now: () => number;
  readonly #lines = new Map<string, Line>();
  readonly #tails: string[] = [];
  #drawn = 0;
  #repeated = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: ProgressOptions) {
    this.#out = o.out;
    this.#title = o.title ?? 'Running';
    this.#colors = o.colors ?? ansiProgressColors;
    this.#now = o.now ?? Date.now;
    if (o.animate !== false) {
      this.#timer = setInterval(() => this.render(), 100);
      this.#timer.unref();
    }
  }

  event(e: ProgressEvent): void {
    if (this.#stopped) return;
    const last = this.#lines.get(e.id);
    const now = this.#now();
    if (!last) {
      this.#lines.set(e.id, { ...e, start: now, spinner: 0, ...(e.status !== 'working' ? { end: now } : {}) });
      return;
    }
    if (e.status !== 'working' && last.status !== e.status) last.end = now;
    if (e.status === 'working') last.end = undefined;
    last.status = e.status;
    last.text = e.text;
    last.statusText = e.statusText;
    if ((e.total ?? 0) > (last.total ?? 0)) last.total = e.total;
    if ((e.current ?? 0) > (last.current ?? 0)) last.current = e.current;
    if ((e.percent ?? 0) > (last.percent ?? 0)) last.percent = e.percent;
    if (!last.parentId || !e.parentId) last.parentId = e.parentId;
  }

  tail(message: string): void {
    this.#tails.push(message);
  }

  stop(): void {
    if (this.#stopped) return;
    if (this.#timer) clearInterval(this.#timer);
    this.render();
    this.#stopped = true;
    for (const t of this.#tails) this.#out.write(`${t}\n`);
  }

  render(): void {
    if (this.#stopped || this.#lines.size === 0) return;
    // A terminal that does not say its size (a pty with none set) is taken as 80x24.
    const width = this.#out.columns || 80;
    const height = this.#out.rows || 24;
    const c = this.#colors;
    let up = '';
    // Back to the first line of the block drawn last time.
    const moveUp = this.#drawn + 1 - (this.#repeated ? 0 : 1);
    if (moveUp > 0) up = `\x1b[${moveUp}A`;
    this.#repeated = true;
    let out = `${up}\x1b[0G\x1b[?25l`;
    const lines = [...this.#lines.values()];
    const doneCount = lines.filter((l) => l.status !== 'working').length;
    // compose counts against the lines of the previous frame (so a line added since shows as
    // "3/2" for a frame); the lines of this frame are what the reader sees.
    let first = `[+] ${this.#title} ${doneCount}/${lines.length}`;
    if (doneCount === lines.length) first = c.done(first);
    out += `${first}\n`;
    let padding = 0;
    for (const l of lines) {
      padding = Math.max(padding, `${l.id} ${l.text ?? ''}`.length);
      if (l.parentId) padding -= 2;
    }
    const skipChildren = lines.length > height - 2;
    let count = 0;
    for (const l of lines) {
      if (l.parentId) continue;
      out += this.#lineText(l, '', width, padding);
      count++;
      for (const child of lines) {
        if (child.parentId !== l.id || skipChildren) continue;
        out += this.#lineText(child, '  ', width, padding);
        count++;
      }
    }
    for (let i = count; i < this.#drawn; i++) {
      if (count < height - 2) {
        out += `${' '.repeat(width)}\n`;
        count++;
      }
    }
    this.#drawn = count;
    out += '\x1b[?25h';
    this.#out.write(out);
  }

  #lineText(l: Line, pad: string, width: number, statusPadding: number): string {
    const c = this.#colors;
    const now = this.#now();
    const end = l.status === 'working' ? now : (l.end ?? l.start);
    const elapsed = Math.max(0, (end - l.start) / 1000);
    let spinner: string;
    switch (l.status) {
      case 'done':
        spinner = c.success('✔');
        break;
      case 'warning':
        spinner = c.warning('!');
        break;
      case 'error':
        spinner = c.error('✘');
        break;
      default:
        l.spinner = (l.spinner + 1) % spinnerChars.length;
        spinner = c.count(spinnerChars[l.spinner]);
    }
    const children = [...this.#lines.values()].filter((x) => x.parentId === l.id);
    let txt = `${l.id} ${l.text ?? ''}`;
    if (l.status === 'working' && children.length > 0) {
      let total = 0;
      let current = 0;
      let hide = false;
      const completion = children.map((ch) => {
        if (ch.status === 'working' && !ch.total) hide = true;
        total += ch.total ?? 0;
        current += ch.current ?? 0;
        return percentChars[Math.trunc(((percentChars.length - 1) * (ch.percent ?? 0)) / 100)];
      });
      if (total === 0) hide = true;
      const details = hide ? '' : ` ${humanSize(current).padStart(7)} / ${humanSize(total).padEnd(7)}`;
      txt = `${l.id} [${c.success(completion.join(''))}]${details} ${l.text ?? ''}`;
    }
    const textLen = visibleLength(txt);
    const padding = Math.max(0, statusPadding - textLen);
    const maxStatus = width - textLen - statusPadding - 15;
    let status = l.statusText;
    if (maxStatus > 0 && status.length > maxStatus) status = `${status.slice(0, maxStatus)}...`;
    const colour = l.status === 'done' ? c.success : l.status === 'warning' ? c.warning : l.status === 'error' ? c.error : same;
    const left = `${pad} ${spinner} ${txt}${' '.repeat(padding)} ${colour(status)}`;
    const right = c.timer(`${elapsed.toFixed(1)}s `);
    const fill = width - visibleLength(left) - visibleLength(right);
    return `${left}${fill > 0 ? ' '.repeat(fill) : ''}${right}\n`;
  }
}
