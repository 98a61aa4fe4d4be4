// The texts dockerd's classic builder records: each step's `created_by` (the Cmd of the container
// it committed, joined with spaces) and the commit messages inside it, which are Go fmt output
// (`CMD %q` of a string slice, `VOLUME %v`, `HEALTHCHECK %q` of a *HealthConfig).
import { formatGoDuration, quote, quoteRune } from '../lib/index.ts';
import type { HealthConfig } from '../types/index.ts';

/** Go's %q of a []string: `["a" "b"]`; a nil or empty slice is `[]`. */
export function goQuoteList(list: readonly string[] | null | undefined): string {
  return `[${(list ?? []).map((s) => quote(s)).join(' ')}]`;
}

/** Go's %v of a []string: `[a b]`. */
export function goList(list: readonly string[] | null | undefined): string {
  return `[${(list ?? []).join(' ')}]`;
}

/**
 * Go's %q of a *container.HealthConfig, as dockerd 20.10–24 prints it: the fields in order, the
 * durations through their String method, Retries as a quoted rune. StartInterval (API 1.44) is
 * printed only when set, where newer dockerd prints it.
 */
export function goQuoteHealthcheck(h: HealthConfig): string {
  const d = (ns: number | undefined) => quote(formatGoDuration(ns ?? 0));
  const fields = [goQuoteList(h.Test), d(h.Interval), d(h.Timeout), d(h.StartPeriod)];
  if (h.StartInterval) fields.push(d(h.StartInterval));
  fields.push(quoteRune(h.Retries ?? 0));
  return `&{${fields.join(' ')}}`;
}

/** The Cmd dockerd puts in a metadata step's container: shell, "#(nop) ", then the message. */
export function nopCommand(shell: readonly string[], message: string): string[] {
  return [...shell, '#(nop) ', message];
}

/** WORKDIR, COPY and ADD use the older one-argument form: shell, then "#(nop) message". */
export function nopCommandString(shell: readonly string[], message: string): string[] {
  return [...shell, `#(nop) ${message}`];
}

/** A history entry's created_by: the committed container's Cmd joined with spaces. */
export function createdBy(cmd: readonly string[]): string {
  return cmd.join(' ');
}

/**
 * The commit message of COPY/ADD: `COPY file:<hash> in <dest> `, with `--chown=<spec>` glued to
 * the hash (dockerd prints them without a space) and the trailing space dockerd leaves.
 * `sourceHash` is "file:<hex>", "dir:<hex>" or "multi:<hex>", as the executor computed it.
 */
export function copyMessage(instruction: 'COPY' | 'ADD', options: { chown: string; sourceHash: string; dest: string }): string {
  const chown = options.chown ? `--chown=${options.chown}` : '';
  return `${instruction} ${chown}${options.sourceHash} in ${options.dest} `;
}
