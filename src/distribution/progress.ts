// docker's JSON progress messages ("Downloading [==>   ] 1.2MB/3.4MB"), rendered as dockerd
// renders them (a 200-column bar), with progressDetail for clients that draw their own.
import { humanSize } from '../lib/index.ts';
import type { JsonMessage } from '../types/index.ts';

export type ProgressFn = (m: JsonMessage) => void;

/** jsonmessage.JSONProgress.String() at dockerd's width. */
export function progressBar(current: number, total: number, start?: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current, 4).padStart(8);
  const percentage = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  const numbers = current > total ? humanSize(current, 4).padStart(8) : `${humanSize(current, 4).padStart(8)}/${humanSize(total, 4)}`;
  let left = '';
  if (current > 0 && start !== undefined && percentage < 50) {
    const perByte = (Date.now() - start) / current;
    const s = Math.round(((total - current) * perByte) / 1000);
    left = ' ' + (s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`);
  }
  return bar + numbers + left;
}

/** Reports a byte count for one id at most every `interval` ms (and always at the end). */
export class ProgressReporter {
  #progress: ProgressFn;
  #id: string;
  #action: string;
  #total: number;
  #current = 0;
  #last = 0;
  #start = Date.now();

  constructor(progress: ProgressFn, id: string, action: string, total: number) {
    this.#progress = progress;
    this.#id = id;
    this.#action = action;
    this.#total = total;
  }

  add(n: number): void {
    this.#current += n;
    const now = Date.now();
    if (now - this.#last >= 100 || this.#current === this.#total) {
      this.#last = now;
      this.#send();
    }
  }

  #send(): void {
    this.#progress({
      status: this.#action,
      progressDetail: { current: this.#current, total: this.#total },
      progress: progressBar(this.#current, this.#total, Math.floor(this.#start / 1000) * 1000),
      id: this.#id,
    });
  }
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
