// Malicious layer tarballs: each tries to create or change something outside the directory it is
// extracted into. Exported so that every path that unpacks untrusted archives (import, load, a
// registry pull, docker cp, a build context) can be tested against the same list. A build
// context is stricter: any absolute or ".." name refuses it (src/builder-backend/context.ts).
//
// Each attack aims at `outside`, an absolute path beside the destination (a sentinel directory
// the test creates, holding a file named "secret"), or at the destination's parent through "..".
// A safe extractor either rejects the archive or keeps everything inside the destination.
import { BLOCK, completeHeader, encodeHeader, type TarHeaderInit } from './header.ts';

export interface TarAttack {
  name: string;
  /** What applyLayer does with it: reject the archive, or extract it harmlessly inside the root. */
  expect: 'error' | 'contained';
  /** The uncompressed tar. */
  build(outside: string): Promise<Buffer>;
}

type Item = [TarHeaderInit, string?] | Buffer;

/** A tar built in memory (these archives are tiny); a Buffer item is written as raw blocks. */
function tar(items: Item[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const item of items) {
    if (Buffer.isBuffer(item)) {
      parts.push(item);
      continue;
    }
    const [init, body] = item;
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const header = completeHeader({ mtime: new Date(0), ...init, size: init.type === 'file' ? data.length : 0 });
    parts.push(encodeHeader(header), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Promise.resolve(Buffer.concat(parts));
}

/** A GNU "L" long-name record, which our writer never emits (it writes PAX). */
function gnuLongName(name: string): Buffer {
  const data = Buffer.from(`${name}\0`);
  const block = Buffer.alloc(BLOCK);
  block.write('././@LongLink', 0, 'latin1');
  block.write('0000644\0', 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  block.write(data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  block.write('00000000000\0', 136, 'latin1');
  block.write('L', 156, 'latin1');
  block.write('ustar  \0', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return Buffer.concat([block, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
}

const file = (name: string, { body = 'pwned', ...more }: Partial<TarHeaderInit> & { body?: string } = {}): Item => [{ name, type: 'file', mode: 0o644, ...more }, body];
const dir = (name: string, more: Partial<TarHeaderInit> = {}): Item => [{ name, type: 'directory', mode: 0o755, ...more }];
const symlink = (name: string, target: string): Item => [{ name, type: 'symlink', linkname: target }];
const hardlink = (name: string, more: Partial<TarHeaderInit> & { linkname: string }): Item => [{ name, type: 'link', ...more }];
const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export const tarAttacks: TarAttack[] = [
  { name: 'dot-dot path', expect: 'error', build: () => tar([file('../escaped')]) },
  { name: 'dot-dot in the middle of a path', expect: 'error', build: () => tar([dir('a/'), file('a/../../escaped')]) },
  { name: 'dot-dot after a symlinked directory', expect: 'error', build: () => tar([symlink('a', '.'), file('a/b/../../../escaped')]) },
  { name: 'dot-dot in a PAX path over a harmless ustar name', expect: 'error', build: () => tar([file('harmless', { pax: { path: '../escaped' } })]) },
  { name: 'dot-dot in a GNU long name', expect: 'error', build: () => tar([gnuLongName(`${'x/'.repeat(60)}${'../'.repeat(61)}escaped`), file('short')]) },
  { name: 'absolute path', expect: 'contained', build: (outside) => tar([file(`${outside}/escaped`)]) },
  { name: 'symlink to an absolute outside dir, then a file through it', expect: 'contained', build: (outside) => tar([symlink('link', outside), file('link/escaped')]) },
  { name: 'symlink to /, then a file through it', expect: 'contained', build: (outside) => tar([symlink('root', '/'), file(`root${outside}/escaped`)]) },
  {
    name: 'symlink climbing with ../.., then a file through it',
    expect: 'contained',
    build: (outside) => tar([symlink('up', '../../../../../../../../..'), file(`up${outside}/escaped`)]),
  },
  { name: 'relative symlink to a sibling of the root', expect: 'contained', build: (outside) => tar([symlink('sib', `../${base(outside)}`), file('sib/escaped')]) },
  {
    name: 'symlink in a subdirectory climbing out',
    expect: 'contained',
    build: (outside) => tar([dir('sub/'), symlink('sub/up', '../../../../../..'), file(`sub/up${outside}/escaped`)]),
  },
  { name: 'symlink to its own parent, walked repeatedly', expect: 'contained', build: () => tar([symlink('a', '..'), file('a/a/a/a/escaped')]) },
  {
    name: 'chain of symlinks leading out',
    expect: 'contained',
    build: (outside) => tar([symlink('a', 'b'), symlink('b', 'c'), symlink('c', outside), file('a/escaped')]),
  },
  { name: 'symlink loop as a parent', expect: 'error', build: () => tar([symlink('x', 'y'), symlink('y', 'x'), file('x/escaped')]) },
  { name: 'hardlink to an absolute outside file', expect: 'error', build: (outside) => tar([hardlink('stolen', { linkname: `${outside}/secret` })]) },
  { name: 'hardlink climbing with ..', expect: 'error', build: (outside) => tar([hardlink('stolen', { linkname: `../${base(outside)}/secret` })]) },
  { name: 'hardlink with an absolute path climbing with ..', expect: 'error', build: (outside) => tar([hardlink('stolen', { linkname: `/../${base(outside)}/secret` })]) },
  { name: 'hardlink through a symlinked parent', expect: 'error', build: (outside) => tar([symlink('out', outside), hardlink('stolen', { linkname: 'out/secret' })]) },
  {
    name: 'hardlink to a symlink pointing out, then chmod and a write through it',
    expect: 'contained',
    build: (outside) =>
      tar([symlink('s', `${outside}/secret`), hardlink('h', { linkname: 's', mode: 0o777, mtime: new Date(1000) }), file('h', { body: 'overwritten' })]),
  },
  { name: 'hardlink to a directory', expect: 'error', build: () => tar([dir('d/'), hardlink('h', { linkname: 'd' })]) },
  {
    name: 'directory entry replacing a symlink that points out',
    expect: 'contained',
    build: (outside) => tar([symlink('d', outside), dir('d/', { mode: 0o777 }), file('d/escaped')]),
  },
  {
    name: 'file replacing a symlink that points to an outside file',
    expect: 'contained',
    build: (outside) => tar([symlink('f', `${outside}/secret`), file('f', { body: 'overwritten', mode: 0o777 })]),
  },
  {
    name: 'directory replaced by a symlink before its deferred mtime is set',
    expect: 'contained',
    build: (outside) => tar([dir('d/', { mtime: new Date(1000) }), file('d/x'), symlink('d', outside)]),
  },
  {
    name: 'symlinked root entry, then a file',
    expect: 'contained',
    build: (outside) => tar([symlink('./', outside), file('./escaped')]),
  },
  { name: 'device node through a symlink', expect: 'contained', build: (outside) => tar([symlink('l', outside), [{ name: 'l/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }]]) },
  { name: 'whiteout through a symlink', expect: 'contained', build: (outside) => tar([symlink('w', outside), file('w/.wh.secret', { body: '' })]) },
  { name: 'opaque marker through a symlink', expect: 'contained', build: (outside) => tar([symlink('o', outside), file('o/.wh..wh..opq', { body: '' })]) },
  { name: 'whiteout of ".."', expect: 'error', build: () => tar([dir('a/'), file('a/.wh..', { body: '' })]) },
];
