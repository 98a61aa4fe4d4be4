import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { historySourceHash, sourcesDigest, stepCacheKey, type FileRecord } from './cache-key.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const tree: FileRecord[] = [
  { path: 'src', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
  { path: 'src/main.ts', type: 'file', mode: 0o644, uid: 1000, gid: 1000, size: 5, contentDigest: sha('hello') },
  { path: 'src/link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkTarget: 'main.ts' },
  { path: 'run.sh', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 2, contentDigest: sha('hi') },
];
const change = (i: number, patch: Partial<FileRecord>) => tree.map((r, j) => (j === i ? { ...r, ...patch } : r));

describe('cache keys', () => {
  it('the files digest ignores order and paths spelled with ./ or a leading /', () => {
    const d = sourcesDigest(tree);
    assert.match(d, /^sha256:[0-9a-f]{64}$/);
    assert.equal(sourcesDigest([...tree].reverse()), d);
    assert.equal(sourcesDigest(tree.map((r) => ({ ...r, path: `./${r.path}` }))), d);
    assert.equal(sourcesDigest(tree.map((r) => ({ ...r, path: `/${r.path}` }))), d);
  });

  it('changes with content, mode, owner, link target, name, size; not with time (there is none)', () => {
    const d = sourcesDigest(tree);
    const variants = [
      change(1, { contentDigest: sha('hellp') }),
      change(1, { mode: 0o600 }),
      change(3, { mode: 0o4755 }),
      change(1, { uid: 0 }),
      change(1, { gid: 0 }),
      change(2, { linkTarget: 'run.sh' }),
      change(1, { path: 'src/main.js' }),
      change(1, { size: 6 }),
      change(0, { type: 'file', size: 0, contentDigest: sha('') }),
      change(3, { xattrs: { 'security.capability': 'AQAAAg==' } }),
      tree.slice(1),
    ];
    const digests = variants.map((v) => sourcesDigest(v));
    for (const [i, v] of digests.entries()) assert.notEqual(v, d, `variant ${i}`);
    assert.equal(new Set(digests).size, digests.length, 'every variant differs from every other');
    // Only the permission bits count: the file-type bits of a raw st_mode do not.
    assert.equal(sourcesDigest(change(1, { mode: 0o100644 })), d);
    // A symlink's or directory's size and digest are not part of it.
    assert.equal(sourcesDigest(change(2, { size: 99, contentDigest: 'x' })), d);
  });

  it('refuses a path listed twice', () => {
    assert.throws(() => sourcesDigest([tree[1], { ...tree[1], path: './src/main.ts' }]), /listed twice/);
  });

  it('a step key depends on parent, step text, build args (any order) and sources', () => {
    const base = { parent: 'sha256:p', step: '{"kind":"run"}', buildArgs: ['A=1', 'B=2'], sources: sourcesDigest(tree) };
    const k = stepCacheKey(base);
    assert.match(k, /^sha256:[0-9a-f]{64}$/);
    assert.equal(stepCacheKey({ ...base, buildArgs: ['B=2', 'A=1'] }), k);
    for (const other of [{ parent: 'sha256:q' }, { step: '{"kind":"copy"}' }, { buildArgs: ['A=1', 'B=3'] }, { sources: sourcesDigest(tree.slice(1)) }, { sources: undefined }]) {
      assert.notEqual(stepCacheKey({ ...base, ...other }), k, JSON.stringify(other));
    }
    assert.equal(stepCacheKey({ parent: '', step: 's' }), stepCacheKey({ parent: '', step: 's', buildArgs: [] }));
  });

  it('history source hashes have dockerd shapes', () => {
    const d = sourcesDigest(tree);
    assert.equal(historySourceHash([{ kind: 'file', digest: d }]), `file:${d.slice(7)}`);
    assert.equal(historySourceHash([{ kind: 'dir', digest: d }]), `dir:${d.slice(7)}`);
    assert.match(historySourceHash([{ kind: 'file', digest: d }, { kind: 'dir', digest: d }]), /^multi:[0-9a-f]{64}$/);
  });
});
