// The validator is berthd's: `berth` runs once per command and must not load it.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { it } from 'node:test';
import { build } from 'esbuild';

const repo = resolve(import.meta.dirname, '..', '..');

it('the berth CLI bundle leaves out the schemas and TypeBox', async () => {
  const result = await build({
    entryPoints: [resolve(repo, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['koffi'],
    write: false,
    absWorkingDir: repo,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((f) => f.startsWith('src/cli/')), 'the bundle was built from the CLI');
  assert.deepEqual(inputs.filter((f) => f.includes('node_modules/typebox') || f.startsWith('src/schema/') || f.startsWith('src/api/')), []);
});
