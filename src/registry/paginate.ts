// n/last pagination of tag lists and the catalog, with the Link header of the next page.
import { apiError } from './errors.ts';

export interface Page {
  items: string[];
  /** The Link header value for the next page, when there is one. */
  link?: string;
}

/** Parses `n`: a non-negative integer, clamped to `max`; undefined when not given. */
export function parsePageSize(value: string | null, max?: number): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw apiError('PAGINATION_NUMBER_INVALID', { detail: { n: value } });
  const n = Number(value);
  return max !== undefined ? Math.min(n, max) : n;
}

/** One page of a lexically sorted list: entries after `last`, at most `n` of them. */
export function paginate(sorted: readonly string[], o: { n?: number; last?: string | null; path: string }): Page {
  const after = o.last ? sorted.filter((x) => x > o.last!) : [...sorted];
  if (o.n === undefined) return { items: after };
  const items = after.slice(0, o.n);
  if (items.length === 0 || after.length <= o.n) return { items };
  const q = new URLSearchParams({ last: items[items.length - 1], n: String(o.n) });
  return { items, link: `<${o.path}?${q.toString()}>; rel="next"` };
}
