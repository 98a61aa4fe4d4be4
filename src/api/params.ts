// Query parameter conventions of the Engine API.
import { InvalidArgument } from '../errors/index.ts';

/** dockerd's BoolValue: anything but "", "0", "no", "false", "none" is true. */
export function boolParam(q: URLSearchParams, name: string, fallback = false): boolean {
  const v = q.get(name);
  if (v === null) return fallback;
  const s = v.trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgument(`invalid value for ${name}: ${v}`);
  return Number(v);
}

/** The `filters` parameter: {"k":["v"]} or the older {"k":{"v":true}}. */
export function filtersParam(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidArgument(`invalid filter: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgument(`invalid filter: ${raw}`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    // dockerd reads the values as strings, or as map[string]bool: nothing else is a filter.
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.set(k, v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((on) => typeof on === 'boolean')) {
      out.set(k, Object.entries(v as Record<string, boolean>).filter(([, on]) => on).map(([x]) => x));
    } else throw new InvalidArgument(`invalid filter: ${raw}`);
  }
  return out;
}
