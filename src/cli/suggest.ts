// "Did you mean this?" for a mistyped command, with cobra's rule: a name within two edits of what
// was typed (case aside), or one that starts with it.
import { byteOrder } from '../lib/index.ts';

/** Levenshtein distance, case-insensitive as cobra's ld(…, ignoreCase=true). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[t.length]!;
}

/** The names to suggest for `typed`, closest first (then by name). */
export function suggestionsFor(typed: string, names: Iterable<string>, maxDistance = 2): string[] {
  if (!typed) return [];
  const found = new Map<string, number>();
  for (const name of names) {
    const d = editDistance(typed, name);
    if (d <= maxDistance || name.toLowerCase().startsWith(typed.toLowerCase())) found.set(name, d);
  }
  return [...found].sort(([a, da], [b, db]) => da - db || byteOrder(a, b)).map(([n]) => n);
}

/** The suggestion block of an unknown-command error ("" when there is nothing to suggest). */
export function suggestionText(typed: string, names: Iterable<string>): string {
  const s = suggestionsFor(typed, names);
  return s.length ? `\n\nDid you mean this?\n${s.map((n) => `\t${n}`).join('\n')}` : '';
}
