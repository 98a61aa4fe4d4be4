// Parser directives: `# escape=`, `# syntax=` and `# check=` comment lines at the very top of a
// Dockerfile, with BuildKit's quirks: they count only before any other line (even a comment), each
// may appear once, names are case-insensitive and the value runs to the end of the line.
import { InvalidArgument } from '../errors/index.ts';
import { parseBool, quote } from '../lib/index.ts';

export type DirectiveName = 'syntax' | 'escape' | 'check';

export interface Directive {
  name: DirectiveName;
  value: string;
  line: number;
}

const known = new Set<string>(['syntax', 'escape', 'check']);
// Go's \s is [\t\n\f\r ]; JavaScript's would also accept \v and Unicode spaces.
const directiveRe = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;

export class DirectiveParser {
  #line = 0;
  #done = false;
  readonly #seen = new Set<string>();

  /** The directive on this line, or null; once a line is not a directive none after it is. */
  parseLine(text: string): Directive | null {
    this.#line++;
    if (this.#done) return null;
    if (!text.startsWith('#')) {
      this.#done = true;
      return null;
    }
    const m = directiveRe.exec(text.slice(1).replace(/^[\t\n\v\f\r \u0085\u00a0]+/, ''));
    const name = m?.[1].toLowerCase();
    if (!m || !name || !known.has(name)) {
      this.#done = true;
      return null;
    }
    if (this.#seen.has(name)) throw new InvalidArgument(`only one ${name} parser directive can be used`);
    this.#seen.add(name);
    return { name: name as DirectiveName, value: m[2], line: this.#line };
  }
}

/** The rules a `# check=skip=A,B;error=true` directive selects. */
export interface CheckDirective {
  /** Rule names to skip, or 'all'. */
  skip: string[] | 'all';
  /** Whether a lint warning fails the build. */
  error: boolean;
}

/** BuildKit's ParseLintOptions: `skip=` (names or `all`), `experimental=` and `error=`, `;`-separated. */
export function parseCheckDirective(value: string): CheckDirective {
  const out: CheckDirective = { skip: [], error: false };
  const text = value.trim();
  if (text === '') return out;
  for (const part of splitN(text, ';', 3)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new InvalidArgument(`invalid check option ${quote(part)}`);
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    switch (key) {
      case 'skip':
        out.skip = val === 'all' ? 'all' : val.split(',').map((r) => r.trim());
        break;
      case 'experimental':
        // Berth has no experimental rules; the option is accepted and selects nothing.
        break;
      case 'error':
        try {
          out.error = parseBool(val);
        } catch (err) {
          throw new InvalidArgument(`failed to parse check option ${quote(part)}: ${(err as Error).message}`);
        }
        break;
      default:
        throw new InvalidArgument(`invalid check option ${quote(key)}`);
    }
  }
  return out;
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}
