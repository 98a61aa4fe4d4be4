// `berth build --progress=tty`: a live view of the build as BuildKit draws it — a header with the
// elapsed time and steps done, one line per step with its own time (CACHED when the cache
// served it), and the last lines of the running step's output under it — redrawn in place. The
// daemon speaks dockerd's classic stream; the steps are read from its "Step N/M : …" lines.
import type { Writable } from 'node:stream';
import type { JsonMessage } from '../../../types/index.ts';

interface Vertex {
  name: string;
  started: number;
  ended?: number;
  cached: boolean;
  error: boolean;
  logs: string[];
}

const shownLogLines = 6;

export class TtyProgress {
  #out: Writable & { columns?: number; rows?: number };
  #vertices: Vertex[] = [];
  #start = Date.now();
  #drawn = 0;
  #timer: NodeJS.Timeout;
  #total = 0;
  #partial = '';
  #context: { bytes: number; done: boolean } | undefined;
  #finished: string | undefined;
  #tags: string[] = [];

  constructor(out: Writable & { columns?: number; rows?: number }) {
    this.#out = out;
    this.#timer = setInterval(() => this.#draw(), 100);
    this.#timer.unref();
  }

  /** The context upload's progress: `[internal] load build context`. */
  context(bytes: number, done: boolean): void {
    this.#context = { bytes, done };
  }

  message(m: JsonMessage): void {
    if (m.stream === undefined) return;
    const text = this.#partial + m.stream;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    // "Step N/M : X" arrives without its newline: take it as soon as it is whole
    if (/^Step \d+\/\d+ : /.test(this.#partial) && !m.stream.endsWith('\n')) {
      lines.push(this.#partial);
      this.#partial = '';
    }
    for (const line of lines) this.#line(line);
  }

  #current(): Vertex | undefined {
    const v = this.#vertices.at(-1);
    return v && v.ended === undefined ? v : undefined;
  }

  #line(line: string): void {
    const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
    if (step) {
      this.#endCurrent();
      this.#total = Number(step[2]);
      this.#vertices.push({ name: `[${step[1]}/${step[2]}] ${step[3]}`, started: Date.now(), cached: false, error: false, logs: [] });
      return;
    }
    const cur = this.#current();
    if (line === ' ---> Using cache') {
      if (cur) cur.cached = true;
      return;
    }
    if (/^ ---> [0-9a-f]{12}$/.test(line)) {
      this.#endCurrent();
      return;
    }
    if (/^ ---> Running in |^Removing intermediate container /.test(line) || line === '') return;
    const built = /^Successfully built ([0-9a-f]+)$/.exec(line);
    if (built) {
      this.#finished = built[1];
      return;
    }
    const tagged = /^Successfully tagged (.+)$/.exec(line);
    if (tagged) {
      this.#tags.push(tagged[1]);
      return;
    }
    const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
    if (cur) cur.logs.push(plain);
    else this.#vertices.push({ name: plain, started: Date.now(), ended: Date.now(), cached: false, error: false, logs: [] });
  }

  #endCurrent(): void {
    const cur = this.#current();
    if (cur) cur.ended = Date.now();
  }

  /** Marks the running step failed (the error is printed after the view). */
  fail(): void {
    const cur = this.#current();
    if (cur) {
      cur.error = true;
      cur.ended = Date.now();
    }
  }

  #render(final: boolean): string[] {
    const width = Math.max(40, (this.#out.columns ?? 80) - 1);
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
    const now = Date.now();
    const done = this.#vertices.filter((v) => v.ended !== undefined && v.name.startsWith('[')).length;
    const failed = this.#vertices.some((v) => v.error);
    const state = final ? (failed ? ' ERROR' : ' FINISHED') : '';
    const lines = [`[+] Building ${secs(now - this.#start)} (${done}/${this.#total || done})${state}`];
    const row = (left: string, right: string) => {
      const room = width - right.length - 1;
      const l = left.length > room ? left.slice(0, room - 1) + '…' : left.padEnd(room);
      return `${l} ${right}`;
    };
    if (this.#context) lines.push(row(` => [internal] load build context  ${(this.#context.bytes / 1e6).toFixed(2)}MB`, this.#context.done ? 'done' : ''));
    for (const v of this.#vertices) {
      const t = secs((v.ended ?? now) - v.started);
      lines.push(row(` => ${v.error ? 'ERROR ' : v.cached ? 'CACHED ' : ''}${v.name}`, v.cached ? '' : t));
      const running = v.ended === undefined;
      const logs = running || v.error ? v.logs.slice(-shownLogLines) : [];
      for (const l of logs) lines.push(row(` => => # ${l}`, ''));
    }
    if (final && this.#finished) {
      lines.push(row(' => exporting to image', ''));
      lines.push(row(` => => writing image sha256:${this.#finished}`, ''));
      for (const t of this.#tags) lines.push(row(` => => naming to ${t}`, ''));
    }
    return lines;
  }

  #draw(final = false): void {
    let lines = this.#render(final);
    // Cursor-up cannot climb past the top of the screen: while running, show what fits.
    const room = Math.max(5, (this.#out.rows ?? 24) - 2);
    if (!final && lines.length > room) lines = [lines[0], ...lines.slice(lines.length - room + 1)];
    let s = this.#drawn > 0 ? `\u001b[${this.#drawn}A` : '';
    for (const l of lines) s += `\u001b[2K${l}\n`;
    this.#out.write(s);
    this.#drawn = lines.length;
  }

  /** Draws the final state and stops. */
  end(): void {
    clearInterval(this.#timer);
    if (this.#partial) this.#line(this.#partial);
    this.#endCurrent();
    this.#draw(true);
  }
}
