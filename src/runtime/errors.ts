// How runc's failures reach the rest of Berth: a typed error carrying runc's own message.
import { SystemError } from '../errors/index.ts';

/** A failure reported by runc, with its own message (e.g. an executable that is not found). */
export class RuntimeError extends SystemError {}

/** The message of runc's JSON log lines (`{"level":"error","msg":"…"}`), else the text itself. */
export function runcMessage(text: string): string {
  const msgs: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as { msg?: string; level?: string };
      if (v.msg && v.level !== 'debug' && v.level !== 'info') msgs.push(v.msg);
    } catch {
      const m = /msg="((?:[^"\\]|\\.)*)"/.exec(t);
      msgs.push(m ? m[1].replace(/\\(.)/g, '$1') : t);
    }
  }
  return msgs.join('; ');
}
