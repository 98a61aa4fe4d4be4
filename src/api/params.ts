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
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (typeof v === 'object' && v !== null) out.set(k, Object.entries(v).filter(([, on]) => on).map(([x]) => x));
    else throw new InvalidArgument(`invalid filter: ${raw}`);
  }
  return out;
}

/** Whether the request's API version ("1.43") is at least major.minor. */
export function apiVersionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
