// userns-remap's id mappings from /etc/subuid and /etc/subgid, as dockerd's idtools builds them:
// the user's subordinate ranges sorted by start, laid end to end from container id 0.
import { InvalidArgument } from '../errors/index.ts';
import type { IdMapping } from './spec.ts';

export interface SubIdRange {
  start: number;
  length: number;
}

/** The ranges of `user` (by name or uid) in a subuid/subgid file ("name:start:count" lines). */
export function subIdRanges(text: string, user: { name: string; uid?: number }): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [name, start, count] = t.split(':');
    if (count === undefined || !/^\d+$/.test(start) || !/^\d+$/.test(count)) continue;
    if (name === user.name || (user.uid !== undefined && name === String(user.uid))) out.push({ start: Number(start), length: Number(count) });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** dockerd's createIDMap. */
export function idMappings(ranges: readonly SubIdRange[], kind: 'subuid' | 'subgid', user: string): IdMapping[] {
  if (ranges.length === 0) throw new InvalidArgument(`No ${kind} ranges found for user ${JSON.stringify(user)}`);
  let containerID = 0;
  return ranges.map((r) => {
    const m = { containerID, hostID: r.start, size: r.length };
    containerID += r.length;
    return m;
  });
}

/** The host id container id `id` maps to, or undefined when no mapping covers it. */
export function hostId(mappings: readonly IdMapping[], id: number): number | undefined {
  const m = mappings.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return m === undefined ? undefined : m.hostID + (id - m.containerID);
}

/** The container id host id `id` shows as, or undefined when no mapping covers it. */
export function containerIdOf(mappings: readonly IdMapping[], id: number): number | undefined {
  const m = mappings.find((x) => id >= x.hostID && id < x.hostID + x.size);
  return m === undefined ? undefined : m.containerID + (id - m.hostID);
}

/** The kernel's overflow id: what an unmapped host id looks like inside a user namespace. */
export const overflowId = 65534;

/**
 * Owner translations for a user namespace: container ids to host ids (refusing an id no mapping
 * covers, with dockerd's message) and back (an unmapped host id shows as the overflow id, as the
 * kernel shows it).
 */
export function idMappers(m: { uidMappings: readonly IdMapping[]; gidMappings: readonly IdMapping[] }): {
  toHost: (uid: number, gid: number) => { uid: number; gid: number };
  toContainer: (uid: number, gid: number) => { uid: number; gid: number };
} {
  const host = (list: readonly IdMapping[], id: number) => {
    const h = hostId(list, id);
    if (h === undefined) throw new InvalidArgument(`Container ID ${id} cannot be mapped to a host ID`);
    return h;
  };
  return {
    toHost: (uid, gid) => ({ uid: host(m.uidMappings, uid), gid: host(m.gidMappings, gid) }),
    toContainer: (uid, gid) => ({ uid: containerIdOf(m.uidMappings, uid) ?? overflowId, gid: containerIdOf(m.gidMappings, gid) ?? overflowId }),
  };
}

/**
 * Where to put a new range of `size` ids in a subuid/subgid file: after every range already
 * given out, and never below 100000 (what useradd starts from).
 */
export function nextSubIdStart(text: string, size = 65536): { start: number; length: number } {
  let end = 100000;
  for (const line of text.split('\n')) {
    const [, start, count] = line.trim().split(':');
    if (/^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) end = Math.max(end, Number(start) + Number(count));
  }
  return { start: end, length: size };
}
