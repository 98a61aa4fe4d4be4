import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStages } from './instructions.ts';
import { buildStageGraph, resolveStageReference } from './stage-graph.ts';

const graph = (text: string, target?: string) => {
  const df = parseStages(text);
  return buildStageGraph(
    df.stages.map((s) => ({ name: s.name, baseName: s.baseName, commands: s.commands })),
    target !== undefined ? { target } : {},
  );
};

describe('stage graph', () => {
  const file = [
    'FROM alpine AS deps', // 0
    'RUN make deps',
    'FROM golang AS build', // 1
    'COPY --from=deps /out /deps',
    'FROM node AS web', // 2
    'RUN npm ci',
    'FROM scratch AS unused', // 3
    'COPY --from=nginx:alpine /etc/nginx /x',
    'FROM deps AS final', // 4
    'COPY --from=build /bin/app /app',
    'RUN --mount=type=bind,from=web,source=/dist,target=/dist cp -r /dist /srv',
    'COPY --from=1 /bin/app /app2',
    '',
  ].join('\n');

  it('the target needs its base, its COPY --from and mount sources, not the rest', () => {
    const g = graph(file);
    assert.equal(g.target, 4);
    assert.deepEqual(
      g.stages.map((s) => [s.name, s.base, s.deps, s.images]),
      [
        ['deps', { kind: 'image', ref: 'alpine' }, [], []],
        ['build', { kind: 'image', ref: 'golang' }, [0], []],
        ['web', { kind: 'image', ref: 'node' }, [], []],
        ['unused', { kind: 'scratch' }, [], ['nginx:alpine']],
        ['final', { kind: 'stage', index: 0 }, [0, 1, 2], []],
      ],
    );
    assert.deepEqual(g.order, [0, 2, 1, 4]);
    // deps and web have nothing to wait for: they may run side by side.
    assert.deepEqual(g.levels, [[0, 2], [1], [4]]);
  });

  it('--target picks a stage (case-insensitively) and skips what it does not need', () => {
    const g = graph(file, 'Build');
    assert.deepEqual([g.target, g.order, g.levels], [1, [0, 1], [[0], [1]]]);
    assert.deepEqual(graph(file, 'unused').order, [3]);
    assert.throws(() => graph(file, 'nope'), /^InvalidArgument: failed to reach build target nope in Dockerfile$/);
  });

  it('a later stage may be named by --from; FROM of a later name is an image', () => {
    const g = graph('FROM a AS one\nCOPY --from=two /x /y\nFROM b AS two\nFROM three\nFROM c AS three\n', 'one');
    assert.deepEqual(g.stages[0].deps, [1]);
    assert.deepEqual(g.order, [1, 0]);
    assert.deepEqual(g.stages[2].base, { kind: 'image', ref: 'three' });
  });

  it('cycles are errors naming the stage', () => {
    assert.throws(() => graph('FROM busybox AS stage0\nCOPY --from=stage0 f1 /sub/\n'), /^InvalidArgument: circular dependency detected on stage: stage0$/);
    assert.throws(
      () => graph('FROM busybox AS stage0\nCOPY --from=stage2 f1 /sub/\nFROM busybox AS stage1\nCOPY --from=stage0 f2 /sub/\nFROM busybox AS stage2\nCOPY --from=stage1 f2 /sub/\n'),
      /circular dependency detected on stage: stage0/,
    );
    assert.throws(() => graph('FROM a\nCOPY --from=0 /x /y\n'), /circular dependency detected on stage: stage-0/);
    assert.throws(() => graph('FROM a\nRUN --mount=from=1,target=/x true\nFROM b\nCOPY --from=0 /x /y\n'), /circular dependency detected on stage: stage-0/);
  });

  it('indexes, images and variables in --from', () => {
    const stages = [{ name: 'a' }, { name: '' }];
    assert.deepEqual(resolveStageReference(stages, '1'), { kind: 'stage', index: 1, name: '' });
    assert.deepEqual(resolveStageReference(stages, 'A'), { kind: 'stage', index: 0, name: 'a' });
    assert.deepEqual(resolveStageReference(stages, 'busybox:1.36'), { kind: 'image', ref: 'busybox:1.36' });
    assert.throws(() => resolveStageReference(stages, '2'), /invalid stage index 2/);
    assert.throws(() => graph('FROM a\nCOPY --from=$X /x /y\n'), /variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround/);
  });
});
