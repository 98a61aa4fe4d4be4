// The ports compose: a toy orchestrator drives a plan through fakes the way the execution phase
// will (levels of the graph, planStage on the resolved base, cache key before each step).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ContainerConfig } from '../types/index.ts';
import { historySourceHash, sourcesDigest, stepCacheKey, type FileRecord } from './cache-key.ts';
import { copyCommit } from './dispatch.ts';
import { parseStages } from './instructions.ts';
import { BuildPlan } from './plan.ts';
import { historyEntry, type ImageHandle } from './ports.ts';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const host = { os: 'linux', architecture: 'amd64' };

async function build(dockerfile: string, files: Record<string, string>, cache: Map<string, ImageHandle>) {
  const images = new Map<string, ImageHandle>([['alpine', { id: 'sha256:alpine', config: { Cmd: ['/bin/sh'] }, diffIds: ['sha256:l0'], history: [], platform: host }]]);
  const plan = new BuildPlan(parseStages(dockerfile), { hostPlatform: host });
  const done = new Map<number, ImageHandle>();
  const log: string[] = [];
  for (const level of plan.graph.levels) {
    await Promise.all(
      level.map(async (index) => {
        const base = plan.graph.stages[index].base;
        let image: ImageHandle =
          base.kind === 'stage' ? done.get(base.index)! : base.kind === 'scratch' ? { id: '', config: null, diffIds: [], history: [], platform: host } : images.get(base.ref)!;
        const stage = plan.planStage(index, { id: image.id, config: image.config });
        for (const step of stage.steps) {
          let sources: string | undefined;
          let createdBy = step.kind === 'copy' ? '' : step.createdBy;
          if (step.kind === 'copy') {
            // The fake's files: the context's, or a stage's (whose content stands in for its image).
            const read = (p: string) => (step.from.kind === 'stage' ? done.get(step.from.index)!.id + p : files[p]);
            const records: FileRecord[] = step.sources.map((p) => ({ path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, size: read(p).length, contentDigest: hex(read(p)) }));
            sources = sourcesDigest(records);
            createdBy = copyCommit(step, historySourceHash([{ kind: 'file', digest: sources }])).createdBy;
          }
          const key = stepCacheKey({ parent: image.id, step: step.cacheText, buildArgs: step.buildArgsInUse, ...(sources ? { sources } : {}) });
          const hit = cache.get(key);
          if (hit) {
            log.push(`cached ${step.code}`);
            image = hit;
            continue;
          }
          log.push(`ran ${step.code}`);
          const layer = step.kind === 'metadata' ? null : `sha256:${hex(key)}`;
          const config: ContainerConfig = { ...step.config, Image: image.id };
          const history = historyEntry({ author: step.author, createdBy }, { created: '2024-01-01T00:00:00Z', emptyLayer: layer === null });
          const id = `sha256:${hex(JSON.stringify({ config, history, parent: image.id }))}`;
          image = { id, config, diffIds: layer ? [...image.diffIds, layer] : image.diffIds, history: [...image.history, history], platform: host };
          cache.set(key, image);
        }
        done.set(index, image);
      }),
    );
  }
  return { image: done.get(plan.graph.target)!, log };
}

describe('ports', () => {
  const dockerfile = 'FROM alpine AS a\nRUN make a\nFROM alpine AS b\nCOPY b.txt /b\nFROM a\nCOPY a.txt /a\nCOPY --from=b /b /b\nCMD ["run"]\n';

  it('a rebuild hits the cache at every step; a changed file misses from its COPY on', async () => {
    const cache = new Map<string, ImageHandle>();
    const first = await build(dockerfile, { 'a.txt': 'A', 'b.txt': 'B' }, cache);
    assert.deepEqual(first.log.filter((l) => l.startsWith('cached')), []);
    assert.deepEqual(first.image.config?.Cmd, ['run']);
    assert.equal(first.image.diffIds.length, 4);
    const again = await build(dockerfile, { 'a.txt': 'A', 'b.txt': 'B' }, cache);
    assert.equal(again.image.id, first.image.id);
    assert.ok(again.log.every((l) => l.startsWith('cached')), again.log.join('\n'));
    const touched = await build(dockerfile, { 'a.txt': 'A2', 'b.txt': 'B' }, cache);
    assert.deepEqual(touched.log.filter((l) => l.startsWith('ran')), ['ran COPY a.txt /a', 'ran COPY --from=b /b /b', 'ran CMD ["run"]']);
    assert.notEqual(touched.image.id, first.image.id);
  });

  it('history entries: author and empty_layer only when set', () => {
    assert.deepEqual(historyEntry({ author: '', createdBy: 'x' }, { created: 't', emptyLayer: false }), { created: 't', created_by: 'x' });
    assert.deepEqual(historyEntry({ author: 'me', createdBy: 'x' }, { created: 't', emptyLayer: true }), { created: 't', author: 'me', created_by: 'x', empty_layer: true });
  });
});
