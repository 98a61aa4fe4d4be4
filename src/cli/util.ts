// Small helpers shared by berth's commands: docker's truncation, times and sizes as its CLI shows them.
import { humanDuration, humanSize } from '../lib/index.ts';
import type { CliContext } from './command.ts';

export { goQuote } from '../lib/index.ts';

export function truncateId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** docker's formatter.Ellipsis: at most `max` characters, the last one "…" when cut. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 1) return chars.slice(0, max).join('');
  return chars.slice(0, max - 1).join('') + '…';
}

export function ago(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(Math.max(0, now - unixSeconds * 1000))} ago`;
}

export function size(bytes: number): string {
  return humanSize(bytes);
}

/** Go's time.Time.String() for a unix time, as `{{.CreatedAt}}` prints: "2006-01-02 15:04:05 -0700 MST". */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(off) / 60)).padStart(2, '0');
  const mm = String(Math.abs(off) % 60).padStart(2, '0');
  const pad = (n: number) => String(n).padStart(2, '0');
  const zone = off === 0 ? 'UTC' : (Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${hh}${mm} ${zone}`;
}

/** docker's `Are you sure…? [y/N]` prompt: true only for a line that says y. */
export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.stdout.write(`${message} [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const done = () => {
      ctx.stdin.off('data', onData);
      ctx.stdin.off('end', done);
      ctx.stdin.pause();
      resolve(buf.split('\n')[0]);
    };
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) done();
    };
    ctx.stdin.on('data', onData);
    ctx.stdin.on('end', done);
    ctx.stdin.resume();
  });
  return line.trim().toLowerCase() === 'y';
}

/** REPO[:TAG] as import and commit take it: a colon after the last slash starts the tag. */
export function parseRepoTag(ref: string | undefined): { repo?: string; tag?: string } {
  if (!ref) return {};
  const i = ref.lastIndexOf(':');
  if (i > ref.lastIndexOf('/') && !ref.includes('@')) return { repo: ref.slice(0, i), tag: ref.slice(i + 1) };
  return { repo: ref };
}
