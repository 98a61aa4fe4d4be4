// Parsers for the formats of cgroup control files, shared by both drivers and the fake.
import type { BlkioEntry, IoStatEntry } from './types.ts';

/** A single number ("4096\n"); "max" and the empty file read as undefined. */
export function parseValue(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || t === 'max') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) throw new Error(`unexpected cgroup value ${JSON.stringify(t)}`);
  return n;
}

/** "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (!key || value === undefined) continue;
    const n = Number(value);
    if (Number.isFinite(n)) out[key] = n;
  }
  return out;
}

/** Space-separated numbers (cpuacct.usage_percpu). */
export function parseNumberList(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

/**
 * v1 blkio statistics: "8:0 Read 4096" per device and operation (the per-device "Total" lines
 * included, as containerd reads them), then a last "Total N" line, which is skipped; files like
 * blkio.time_recursive have no operation column ("8:0 1234").
 */
export function parseBlkio(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/[\s:]+/).filter((f) => f !== '');
    if (fields.length < 3) continue;
    const [major, minor] = [Number(fields[0]), Number(fields[1])];
    if (!Number.isInteger(major) || !Number.isInteger(minor)) continue;
    const op = fields.length >= 4 ? fields[2] : '';
    out.push({ major, minor, op, value: Number(fields[fields.length >= 4 ? 3 : 2]) });
  }
  return out;
}

/** v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device. */
export function parseIoStat(text: string): IoStatEntry[] {
  const out: IoStatEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(fields[0] ?? '');
    if (!dev) continue;
    const e: IoStatEntry = { major: Number(dev[1]), minor: Number(dev[2]), rbytes: 0, wbytes: 0, rios: 0, wios: 0, dbytes: 0, dios: 0 };
    for (const kv of fields.slice(1)) {
      const [k, v] = kv.split('=');
      if (k in e && k !== 'major' && k !== 'minor') (e as unknown as Record<string, number>)[k] = Number(v);
    }
    out.push(e);
  }
  return out;
}

/** v2 io.max: "8:0 rbps=1048576 wbps=max riops=max wiops=100" per device. */
export function parseIoMax(text: string): Array<{ major: number; minor: number; limits: Record<string, number | undefined> }> {
  const out: Array<{ major: number; minor: number; limits: Record<string, number | undefined> }> = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(fields[0] ?? '');
    if (!dev) continue;
    const limits: Record<string, number | undefined> = {};
    for (const kv of fields.slice(1)) {
      const [k, v] = kv.split('=');
      limits[k] = v === 'max' ? undefined : Number(v);
    }
    out.push({ major: Number(dev[1]), minor: Number(dev[2]), limits });
  }
  return out;
}

/** v1 blkio.throttle.*_device: "8:0 1048576" per device. */
export function parseDeviceValues(text: string): Array<{ major: number; minor: number; rate: number }> {
  const out: Array<{ major: number; minor: number; rate: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+)\s+(\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), rate: Number(m[3]) });
  }
  return out;
}

/**
 * A cpuset list ("0-3,7") as the sorted numbers it names; undefined when malformed. The empty
 * list is valid and names nothing.
 */
export function parseCpuList(list: string): number[] | undefined {
  const out = new Set<number>();
  const t = list.trim();
  if (t === '') return [];
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** The kernel's way of printing a cpuset: ranges joined by commas ("0-2,5"). */
export function formatCpuList(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    parts.push(j === i ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
