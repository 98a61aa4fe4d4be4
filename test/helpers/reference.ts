// Where the tests find the public reference fixtures (../shared/reference beside the checkout).
// A worktree sits one level deeper than the main checkout, so the ancestors are searched; a
// missing folder fails the test that needs it rather than skipping it.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function referenceDir(): string {
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`no shared/reference folder above ${repoRoot}`);
  }
}

export const dockerfileTestdata = (): string => join(referenceDir(), 'dockerfile-testdata', 'frontend', 'dockerfile');
