// .dockerignore: reading the file (moby/patternmatcher's ignorefile.ReadAll) and matching paths
// (patternmatcher's PatternMatcher), pure, so the CLI can filter while it packs a context and the
// daemon can check what it receives. Patterns are Go filepath.Match globs plus `**`, a leading
// `!` re-includes, later patterns win, and a directory's match covers what is inside it.
import { posix } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';

/** Go's filepath.Clean for slash paths: no trailing slash, "" is ".". */
function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * The patterns of a .dockerignore: `#` lines are comments, blank lines are skipped, each
 * pattern is trimmed and cleaned, and a leading `/` is dropped (the context is the root).
 */
export function parseDockerignore(text: string | Uint8Array): string[] {
  let s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (s.startsWith('\ufeff')) s = s.slice(1);
  const out: string[] = [];
  for (const raw of s.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern[0] === '!';
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern[0] === '/') pattern = pattern.slice(1);
    }
    out.push(invert ? '!' + pattern : pattern);
  }
  return out;
}

const bad = () => new InvalidArgument('syntax error in pattern');

/** The syntax errors Go's filepath.Match reports (ErrBadPattern): bad escapes and classes. */
function validateGlob(pattern: string): void {
  const cs = Array.from(pattern);
  const esc = (i: number): number => {
    // One class character, possibly escaped; returns the index after it.
    if (i >= cs.length || cs[i] === '-' || cs[i] === ']') throw bad();
    if (cs[i] === '\\') {
      i++;
      if (i >= cs.length) throw bad();
    }
    i++;
    if (i >= cs.length) throw bad();
    return i;
  };
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (c === '\\') {
      if (i + 1 >= cs.length) throw bad();
      i++;
    } else if (c === '[') {
      i++;
      if (cs[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (cs[i] === ']' && ranges > 0) break;
        i = esc(i);
        if (cs[i] === '-') i = esc(i + 1);
        ranges++;
      }
    }
  }
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Pattern {
  text: string;
  exclusion: boolean;
  type: MatchType;
  regexp?: RegExp;
}

const escapeSet = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

function compile(text: string): Pick<Pattern, 'type' | 'regexp'> {
  let re = '^';
  let type: MatchType = 'exact';
  let inClass = false;
  const cs = Array.from(text);
  for (let i = 0; i < cs.length; i++) {
    const ch = cs[i];
    const tokenStart = i;
    if (ch === '*') {
      if (cs[i + 1] === '*') {
        i++;
        if (cs[i + 1] === '/') i++;
        if (i + 1 >= cs.length) {
          // A trailing ** matches everything below, as in .gitignore.
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        // A pattern that starts with ** matches by suffix, unless a later wildcard needs the regexp.
        if (tokenStart === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (escapeSet.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (i + 1 < cs.length) {
        const next = cs[++i];
        // Go's regexp reads \d or \w as classes; a glob means the character itself.
        re += /[A-Za-z0-9]/.test(next) ? next : '\\' + next;
        type = 'regexp';
      } else {
        re += '\\\\';
      }
    } else if (ch === '[') {
      re += inClass ? '\\[' : '[';
      inClass = true;
      type = 'regexp';
    } else if (ch === ']') {
      // Outside a class Go's regexp reads ] as itself; JavaScript's (with the u flag) needs \].
      re += inClass ? ']' : '\\]';
      inClass = false;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  if (type !== 'regexp') return { type };
  return { type, regexp: new RegExp(re + '$', 'u') };
}

function matchPattern(p: Pattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.text;
    case 'prefix':
      return path.startsWith(p.text.slice(0, -2));
    case 'suffix': {
      const suffix = p.text.slice(2);
      if (path.endsWith(suffix)) return true;
      // "**/foo" matches "foo" itself.
      return suffix[0] === '/' && path === suffix.slice(1);
    }
    case 'regexp':
      return p.regexp!.test(path);
  }
}

/** Per-pattern results for a directory, handed to its children (patternmatcher.MatchInfo). */
export interface MatchInfo {
  parentMatched: boolean[];
}

export class DockerignoreMatcher {
  readonly patterns: readonly Pattern[];
  readonly hasExclusions: boolean;
  readonly #dirInfo = new Map<string, MatchInfo>();

  constructor(patterns: readonly string[]) {
    const list: Pattern[] = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p[0] === '!') {
        if (p.length === 1) throw new InvalidArgument('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      validateGlob(p);
      list.push({ text: p, exclusion, ...compile(p) });
    }
    this.patterns = list;
    this.hasExclusions = list.some((p) => p.exclusion);
  }

  /**
   * Whether a path (slash-separated, relative to the context) is excluded, given its parent
   * directory's result; without one, each parent directory is tried against every pattern.
   */
  matchesWithParent(file: string, parent?: MatchInfo): { excluded: boolean; info: MatchInfo } {
    const path = goClean(file);
    const known = parent?.parentMatched ?? [];
    let excluded = false;
    const info: MatchInfo = { parentMatched: new Array<boolean>(this.patterns.length).fill(false) };
    this.patterns.forEach((p, i) => {
      let match = known.length > 0 ? known[i] : false;
      if (!match) {
        // An inclusion cannot change an excluded path, nor an exclusion an included one.
        if (p.exclusion !== excluded) return;
        match = matchPattern(p, path);
        if (!match && known.length === 0) {
          const dir = posix.dirname(path);
          if (dir !== '.') {
            const parts = dir.split('/');
            for (let n = 1; n <= parts.length && !match; n++) match = matchPattern(p, parts.slice(0, n).join('/'));
          }
        }
      }
      info.parentMatched[i] = match;
      if (match) excluded = !p.exclusion;
    });
    return { excluded, info };
  }

  /** Whether the path, or a directory above it, is excluded (MatchesOrParentMatches). */
  matches(file: string): boolean {
    if (goClean(file) === '.') return false;
    return this.matchesWithParent(file).excluded;
  }

  /**
   * What a context walk (parents before children) does with an entry, as the docker CLI's tar
   * writer decides: include it, leave it out, leave out a whole directory, or leave out the
   * directory entry but look inside it because a `!` pattern may re-include something there.
   */
  walk(relPath: string, isDir: boolean): 'include' | 'exclude' | 'skip-dir' | 'descend' {
    const path = goClean(relPath);
    if (path === '.') return 'include';
    const { excluded, info } = this.matchesWithParent(path, this.#dirInfo.get(posix.dirname(path)));
    if (isDir) this.#dirInfo.set(path, info);
    if (!excluded) return 'include';
    if (!isDir) return 'exclude';
    if (!this.hasExclusions) return 'skip-dir';
    const dirSlash = path + '/';
    for (const p of this.patterns) if (p.exclusion && (p.text + '/').startsWith(dirSlash)) return 'descend';
    return 'skip-dir';
  }
}

/**
 * The docker CLI never leaves out the Dockerfile or .dockerignore it needs, even when the
 * patterns exclude them (unless the Dockerfile comes from stdin): it appends `!` patterns.
 */
export function keepBuildFiles(excludes: readonly string[], dockerfile: string, dockerfileFromStdin: boolean): string[] {
  const out = [...excludes];
  const matcher = new DockerignoreMatcher(excludes);
  if (matcher.matches('.dockerignore')) out.push('!.dockerignore');
  const name = dockerfile.replace(/\\/g, '/');
  if (matcher.matches(name) && !dockerfileFromStdin) out.push('!' + name);
  return out;
}
