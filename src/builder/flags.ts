// Instruction flags (`COPY --from=x --link`), read as BuildKit's BFlags reads them: every flag is
// `--name=value` (a bool may omit the value), a flag may appear once unless it is a list, `--`
// ends the flags, and an unknown name is an error suggesting the nearest known one.
import { InvalidArgument } from '../errors/index.ts';

type FlagKind = 'bool' | 'string' | 'strings';

export class InstructionFlags {
  readonly #args: readonly string[];
  readonly #kinds = new Map<string, FlagKind>();
  readonly #values = new Map<string, string>();
  readonly #lists = new Map<string, string[]>();
  readonly #used = new Set<string>();

  constructor(args: readonly string[]) {
    this.#args = args;
  }

  bool(name: string): () => boolean {
    this.#kinds.set(name, 'bool');
    return () => this.#values.get(name) === 'true';
  }

  string(name: string, fallback = ''): () => string {
    this.#kinds.set(name, 'string');
    return () => this.#values.get(name) ?? fallback;
  }

  strings(name: string): () => string[] {
    this.#kinds.set(name, 'strings');
    return () => this.#lists.get(name) ?? [];
  }

  /** Whether the flag was given (a bool given as false counts). */
  used(name: string): boolean {
    return this.#used.has(name);
  }

  /** The names of the flags given, in the order given. */
  usedNames(): string[] {
    return [...this.#used];
  }

  parse(): void {
    for (const arg of this.#args) {
      if (arg === '--') return;
      if (!arg.startsWith('--')) throw new InvalidArgument(`arg should start with -- : ${arg}`);
      const eq = arg.indexOf('=');
      const flagName = eq < 0 ? arg : arg.slice(0, eq);
      const value = eq < 0 ? '' : arg.slice(eq + 1);
      const hasValue = eq >= 0;
      const name = flagName.slice(2);
      const kind = this.#kinds.get(name);
      if (!kind) throw new InvalidArgument(withSuggestion(`unknown flag: ${flagName}`, name, [...this.#kinds.keys()], true));
      if (this.#used.has(name) && kind !== 'strings') throw new InvalidArgument(`duplicate flag specified: ${flagName}`);
      this.#used.add(name);
      if (kind === 'bool') {
        if (hasValue && value === '') throw new InvalidArgument(`missing a value on flag: ${flagName}`);
        const v = value.toLowerCase();
        if (v !== 'true' && v !== '' && v !== 'false') throw new InvalidArgument(`expecting boolean value for flag ${flagName}, not: ${value}`);
        this.#values.set(name, v === 'false' ? 'false' : 'true');
      } else {
        if (!hasValue) throw new InvalidArgument(`missing a value on flag: ${flagName}`);
        if (kind === 'string') this.#values.set(name, value);
        else this.#lists.set(name, [...(this.#lists.get(name) ?? []), value]);
      }
    }
  }
}

/** BuildKit's suggest.WrapError: appends "(did you mean X?)" when an option is 1 or 2 edits away. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const val = caseSensitive ? value : value.toLowerCase();
  let match = '';
  let best = 3;
  for (const option of options) {
    const opt = caseSensitive ? option : option.toLowerCase();
    if (opt === val) return message;
    const d = levenshtein(val, opt);
    if (d < best) {
      best = d;
      match = caseSensitive ? opt : matchCase(opt, value);
    }
  }
  return match ? `${message} (did you mean ${match}?)` : message;
}

function matchCase(option: string, original: string): string {
  if (original === original.toLowerCase()) return option.toLowerCase();
  if (original === original.toUpperCase()) return option.toUpperCase();
  return option;
}

function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}
