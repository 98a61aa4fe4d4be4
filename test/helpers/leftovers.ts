// What a berthd leaves in its roots that nothing accounts for: mounts no running container uses,
// temporary files and directories, layer directories no record names, container directories and
// runtime bundles of containers that do not exist, and its open file descriptors. Read from the
// file system and /proc, not from berthd, so a daemon that lost track of something is caught.
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Mount points under `root` (from our mount namespace, which berthd shares). */
export function mountsUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_s, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((m) => m.startsWith(root + '/'))
    .sort();
}

/** berthd's open descriptors. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** berthd's open descriptors with what they point to, for a report when the count is off. */
export function fdTargets(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push(`${fd} -> ${readlinkSync(`/proc/${pid}/fd/${fd}`)}`);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readTrim(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const atomicTemp = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** Temporary names anywhere in the metadata part of the data root (not inside layers or volumes). */
function tempEntries(dir: string, depth: number, out: string[]): void {
  for (const name of list(dir)) {
    const path = join(dir, name);
    if (atomicTemp.test(name) || name.startsWith('.removing-')) out.push(path);
    if (depth <= 0 || name === 'overlay2' || name === '_data') continue;
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (isDir) tempEntries(path, depth - 1, out);
  }
}

export interface Leftovers {
  /** Mounts under the data root that no running container accounts for. */
  mounts: string[];
  /** Temporary files and directories. */
  temp: string[];
  /** overlay2 directories that no layer or container layer record names. */
  layers: string[];
  /** containers/<id> directories and layerdb/mounts/<id> entries of containers berthd does not list. */
  containers: string[];
  /** Runtime bundles, netns files and their mounts under the exec root with no running container. */
  runtime: string[];
}

export interface KnownContainer {
  id: string;
  running: boolean;
  /** Mounts the running container legitimately holds (its overlay, its volumes' mounts). */
  mounts?: string[];
  sandboxKey?: string;
}

/**
 * Everything under `dataRoot` and `execRoot` that `containers` (as berthd lists them) do not
 * explain. An empty result is a clean daemon.
 */
export function findLeftovers(roots: { dataRoot: string; execRoot: string }, containers: KnownContainer[]): Leftovers {
  const { dataRoot, execRoot } = roots;
  const known = new Map(containers.map((c) => [c.id, c]));
  const running = containers.filter((c) => c.running);
  const allowedMounts = new Set(running.flatMap((c) => c.mounts ?? []));
  const out: Leftovers = { mounts: [], temp: [], layers: [], containers: [], runtime: [] };

  for (const m of mountsUnder(dataRoot)) {
    if (allowedMounts.has(m)) continue;
    // a running container's overlay is overlay2/<mount-id>/merged: accounted for by its layer record
    const layerMount = /\/overlay2\/([0-9a-f]{64})\/merged$/.exec(m);
    if (layerMount) {
      const owner = running.find((c) => readTrim(join(dataRoot, 'image/overlay2/layerdb/mounts', c.id, 'mount-id')) === layerMount[1]);
      if (owner) continue;
    }
    // volumes in use by a running container are mounted at volumes/<name>/_data
    if (/\/volumes\/[^/]+\/_data$/.test(m) && running.length > 0) continue;
    out.mounts.push(m);
  }

  for (const d of [join(dataRoot, 'tmp'), join(dataRoot, 'image/overlay2/layerdb/tmp')]) {
    for (const n of list(d)) out.temp.push(join(d, n));
  }
  tempEntries(dataRoot, 3, out.temp);
  tempEntries(join(dataRoot, 'image/overlay2'), 4, out.temp);
  out.temp = [...new Set(out.temp)].sort();

  const layerdb = join(dataRoot, 'image/overlay2/layerdb');
  const wanted = new Set<string>(['l']);
  for (const chain of list(join(layerdb, 'sha256'))) {
    const cache = readTrim(join(layerdb, 'sha256', chain, 'cache-id'));
    if (cache) wanted.add(cache);
  }
  for (const cid of list(join(layerdb, 'mounts'))) {
    for (const f of ['mount-id', 'init-id']) {
      const id = readTrim(join(layerdb, 'mounts', cid, f));
      if (id) wanted.add(id);
    }
    if (!known.has(cid)) out.containers.push(join(layerdb, 'mounts', cid));
  }
  for (const id of list(join(dataRoot, 'overlay2'))) if (!wanted.has(id)) out.layers.push(join(dataRoot, 'overlay2', id));

  for (const id of list(join(dataRoot, 'containers'))) {
    if (!known.has(id) && !id.startsWith('.removing-')) out.containers.push(join(dataRoot, 'containers', id));
  }

  for (const id of list(join(execRoot, 'containers'))) {
    if (!known.get(id)?.running) out.runtime.push(join(execRoot, 'containers', id));
  }
  const sandboxes = new Set(running.map((c) => c.sandboxKey).filter(Boolean));
  for (const n of list(join(execRoot, 'netns'))) {
    const p = join(execRoot, 'netns', n);
    if (!sandboxes.has(p)) out.runtime.push(p);
  }
  for (const m of mountsUnder(execRoot)) {
    if (!sandboxes.has(m)) out.runtime.push(`mount ${m}`);
  }
  out.runtime = [...new Set(out.runtime)].sort();
  return out;
}

/** What the checks need of a container's inspect output. */
export interface Inspected {
  Id: string;
  State: { Running: boolean };
  GraphDriver?: { Data?: Record<string, string> };
  NetworkSettings?: { SandboxKey?: string };
}

/** The containers a daemon lists, with what each may hold, from its inspect output. */
export function knownContainers(inspected: Inspected[]): KnownContainer[] {
  return inspected.map((c) => ({
    id: c.Id,
    running: c.State.Running,
    mounts: c.GraphDriver?.Data?.MergedDir ? [c.GraphDriver.Data.MergedDir] : [],
    ...(c.NetworkSettings?.SandboxKey ? { sandboxKey: c.NetworkSettings.SandboxKey } : {}),
  }));
}

/** The container records in a data root, shaped like inspect's output (for when the API cannot list). */
export function containerRecordsOnDisk(dataRoot: string): Array<Inspected & { Name?: string }> {
  const out: Array<Inspected & { Name?: string }> = [];
  for (const id of list(join(dataRoot, 'containers'))) {
    try {
      const rec = JSON.parse(readFileSync(join(dataRoot, 'containers', id, 'config.v2.json'), 'utf8')) as { ID: string; Name: string; State: { Running: boolean }; NetworkSettings?: { SandboxKey?: string } };
      out.push({ Id: rec.ID, Name: rec.Name, State: rec.State, ...(rec.NetworkSettings ? { NetworkSettings: rec.NetworkSettings } : {}) });
    } catch {
      // not a record
    }
  }
  return out;
}

export function isEmpty(l: Leftovers): boolean {
  return Object.values(l).every((v: string[]) => v.length === 0);
}

export function describeLeftovers(l: Leftovers): string {
  return Object.entries(l)
    .filter(([, v]) => (v as string[]).length > 0)
    .map(([k, v]) => `${k}: ${(v as string[]).join(', ')}`)
    .join('\n');
}
