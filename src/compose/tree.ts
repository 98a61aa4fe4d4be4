// Paths into a compose document. A path is a list of segments, because service and resource
// names may themselves contain dots; `[]` stands for "an item of a sequence". Rules keyed by path
// patterns ("services.*.ports") drive merging, canonical forms, casts and path resolution, as
// compose-go keys them, so each rule table reads like the specification.

export type TreePath = readonly string[];

/** A rule pattern: dot-separated, `*` matches any one segment (a key or a sequence item). */
export type PathPattern = readonly string[];

export const ITEM = '[]';

export function pattern(spec: string): PathPattern {
  return spec === '' ? [] : spec.split('.');
}

export function pathMatches(path: TreePath, p: PathPattern): boolean {
  if (path.length !== p.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] !== '*' && p[i] !== path[i]) return false;
  }
  return true;
}

/** The first rule of `rules` whose pattern matches `path`. */
export function findRule<T>(rules: ReadonlyArray<readonly [PathPattern, T]>, path: TreePath): T | undefined {
  for (const [p, rule] of rules) if (pathMatches(path, p)) return rule;
  return undefined;
}

export function rules<T>(table: Record<string, T>): Array<readonly [PathPattern, T]> {
  return Object.entries(table).map(([k, v]) => [pattern(k), v] as const);
}

/** How compose prints a path in messages: segments joined by dots, sequence items by index. */
export function formatPath(path: TreePath): string {
  return path.join('.');
}

export type Mapping = Record<string, unknown>;

export function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepClone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => deepClone(v)) as T;
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepClone(v);
    return out as T;
  }
  return value;
}

/** Structural equality of plain YAML/JSON data (what `uniqueItems` and merge de-duplication compare). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function sortedKeys<V>(m: Readonly<Record<string, V>> | undefined): string[] {
  return Object.keys(m ?? {}).sort();
}
