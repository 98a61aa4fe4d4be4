// Shared by this folder's tests: temp dirs, GNU tar, in-memory archives, tree snapshots.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after } from 'node:test';
import type { Syscalls } from '../sys/index.ts';
import type { TarHeader, TarHeaderInit } from './header.ts';
import { readTar } from './reader.ts';
import { createTarPacker } from './writer.ts';

let base: string | undefined;
let counter = 0;
// registered when a test file imports this module, so it runs once that file's tests are done
after(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

/** A fresh directory under one temp dir per test file, removed when the file's tests end. */
export function tmpDir(label: string): string {
  base ??= mkdtempSync('/tmp/berth-archive-');
  const p = join(base, `${counter++}-${label}`);
  mkdirSync(p, { recursive: true });
  return p;
}

export function gnuTar(args: string[], cwd?: string): string {
  const r = spawnSync('tar', args, { cwd, encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

/** Splits a buffer into chunks of the given sizes (cycled), to exercise chunk boundaries. */
export function chunked(buf: Buffer, sizes: number[] = [buf.length || 1]): Readable {
  const parts: Buffer[] = [];
  for (let pos = 0, i = 0; pos < buf.length; i++) {
    const n = sizes[i % sizes.length];
    parts.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return Readable.from(parts);
}

export interface ReadEntry {
  header: TarHeader;
  body: Buffer;
}

export async function readAll(input: Buffer | AsyncIterable<unknown>, sizes?: number[]): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  const source = Buffer.isBuffer(input) ? chunked(input, sizes) : input;
  for await (const e of readTar(source)) out.push({ header: e.header, body: await collect(e.body) });
  return out;
}

/** An archive in memory from (header, body) pairs; a file's size is its body's. */
export async function buildTar(items: Array<[TarHeaderInit, (string | Buffer)?]>): Promise<Buffer> {
  const pack = createTarPacker();
  const out = collect(pack.stream);
  for (const [init, body] of items) {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    await pack.entry({ mtime: new Date(1_700_000_000_000), ...init, ...(init.type === 'file' ? { size: data?.length ?? 0 } : {}) }, data ? [data] : undefined);
  }
  await pack.finish();
  return out;
}

/**
 * Everything observable about a tree, one line per entry: type, mode, owner, size, mtime,
 * content hash or link target, device, link count, xattrs.
 */
export function snapshot(root: string, sys: Syscalls, options: { mtimes?: boolean } = {}): string[] {
  const lines: string[] = [];
  const visit = (rel: string): void => {
    const p = rel ? join(root, rel) : root;
    const st = lstatSync(p);
    const kind = st.isDirectory() ? 'd' : st.isFile() ? 'f' : st.isSymbolicLink() ? 'l' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : '?';
    const what = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16) : st.isSymbolicLink() ? readlinkSync(p) : '';
    const xattrs = sys
      .llistxattr(p)
      .sort()
      .map((n) => `${n}=${sys.lgetxattr(p, n)?.toString('hex')}`)
      .join(',');
    const mtime = options.mtimes === false ? '' : Math.floor(st.mtimeMs / 1000);
    lines.push(`${rel || '.'} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isFile() ? st.size : ''} ${mtime} ${what} ${st.rdev || ''} ${st.isDirectory() ? '' : st.nlink} ${xattrs}`);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) visit(rel ? `${rel}/${n}` : n);
  };
  visit('');
  return lines;
}
