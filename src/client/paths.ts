// How object names go into request paths: one segment for containers, networks, volumes and
// execs; image references keep their slashes (the daemon's routes match "/images/{name...}").
import type { Query } from './transport.ts';

export const segment = encodeURIComponent;

export function imagePath(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/');
}

/** The `filters` parameter, or nothing when `filters` is undefined. */
export function filtersQuery(filters: Record<string, string[]> | undefined): Query {
  return filters === undefined ? {} : { filters: JSON.stringify(filters) };
}
