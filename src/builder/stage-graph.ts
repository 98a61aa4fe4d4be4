// Stages as a graph, as BuildKit builds it: a stage depends on the stage its FROM names (an
// earlier one), and on the stages its `COPY --from` and `RUN --mount from=` name (by name, at any
// position, or by index); other names are images. From the target (the last stage, or --target)
// the graph yields the stages needed, in an order that respects dependencies, grouped in levels
// whose stages do not depend on one another and may run in parallel. A cycle is an error.
import { InvalidArgument } from '../errors/index.ts';
import type { SourceRef } from './dispatch.ts';
import type { Command } from './instructions.ts';
import { csvFields } from './run-mount.ts';
import { emptyEnv, ShellLexer } from './shell-lexer.ts';

/** What a stage starts from. */
export type StageBase = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface GraphStageInput {
  /** The `AS` name, lower-cased, or "". */
  name: string;
  /** The FROM image or stage name, with the meta args expanded. */
  baseName: string;
  commands: readonly Command[];
}

export interface GraphStage {
  index: number;
  /** The `AS` name, or "stage-N" for an unnamed stage (as BuildKit names it in errors). */
  name: string;
  base: StageBase;
  /** Stages this one needs, by index, sorted. */
  deps: number[];
  /** Images this one reads with COPY --from or RUN --mount from=. */
  images: string[];
}

export interface StageGraph {
  stages: GraphStage[];
  target: number;
  /** The stages the target needs (itself included), dependencies first. */
  order: number[];
  /** `order` cut into levels: every stage of a level depends only on earlier levels. */
  levels: number[][];
}

/** The name or index a COPY --from or RUN --mount refers to, for stage `current`. */
export function resolveStageReference(stages: readonly { name: string }[], nameOrIndex: string): SourceRef {
  if (/^[+-]?\d+$/.test(nameOrIndex)) {
    const index = Number(nameOrIndex);
    if (!Number.isSafeInteger(index) || index < 0 || index >= stages.length) throw new InvalidArgument(`invalid stage index ${nameOrIndex}`);
    return { kind: 'stage', index, name: stages[index].name };
  }
  const lower = nameOrIndex.toLowerCase();
  const index = stages.findIndex((s) => s.name !== '' && s.name === lower);
  return index >= 0 ? { kind: 'stage', index, name: stages[index].name } : { kind: 'image', ref: nameOrIndex };
}

/** The --from and mount from= values a list of commands names (ONBUILD triggers included). */
export function sourceNames(commands: readonly Command[]): string[] {
  const names: string[] = [];
  const lex = new ShellLexer('\\');
  for (const cmd of commands) {
    if (cmd.kind === 'copy' && cmd.from !== '') {
      // The graph is built before variables are known, so --from cannot use one.
      if (lex.processWord(cmd.from, emptyEnv).result !== cmd.from) {
        throw new InvalidArgument('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
      }
      names.push(cmd.from);
    }
    if (cmd.kind === 'run') {
      for (const mount of cmd.mounts) {
        for (const field of csvFields(mount)) {
          const eq = field.indexOf('=');
          if (eq > 0 && field.slice(0, eq).toLowerCase() === 'from' && field.slice(eq + 1) !== '') names.push(field.slice(eq + 1));
        }
      }
    }
  }
  return names;
}

export function buildStageGraph(inputs: readonly GraphStageInput[], options: { target?: string } = {}): StageGraph {
  if (inputs.length === 0) throw new InvalidArgument('the Dockerfile has no stage (no FROM instruction)');
  const names = inputs.map((s, i) => ({ name: s.name, label: s.name || `stage-${i}` }));
  const stages: GraphStage[] = inputs.map((input, index) => {
    const lower = input.baseName.toLowerCase();
    // FROM sees only the stages defined above it; a later name is an image.
    const baseIndex = names.slice(0, index).findIndex((s) => s.name !== '' && s.name === lower);
    const base: StageBase = baseIndex >= 0 ? { kind: 'stage', index: baseIndex } : input.baseName === 'scratch' ? { kind: 'scratch' } : { kind: 'image', ref: input.baseName };
    const deps = new Set<number>();
    const images = new Set<string>();
    if (base.kind === 'stage') deps.add(base.index);
    for (const name of sourceNames(input.commands)) {
      const ref = resolveStageReference(names, name);
      if (ref.kind === 'stage') deps.add(ref.index);
      else if (ref.kind === 'image') images.add(ref.ref);
    }
    return { index, name: names[index].label, base, deps: [...deps].sort((a, b) => a - b), images: [...images] };
  });

  let target = inputs.length - 1;
  if (options.target !== undefined && options.target !== '') {
    const want = options.target.toLowerCase();
    target = inputs.findIndex((s) => s.name !== '' && s.name === want);
    if (target < 0) throw new InvalidArgument(`failed to reach build target ${options.target} in Dockerfile`);
  }

  // Cycles anywhere in the file are errors, as in BuildKit, even in stages the target skips.
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number): boolean => {
    if (state.get(i) === 'done') return false;
    if (state.get(i) === 'visiting') return true;
    state.set(i, 'visiting');
    for (const d of stages[i].deps) if (visit(d)) return true;
    state.set(i, 'done');
    return false;
  };
  for (const s of stages) {
    if (visit(s.index)) throw new InvalidArgument(`circular dependency detected on stage: ${s.name}`);
  }

  const needed = new Set<number>();
  const collect = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of stages[i].deps) collect(d);
  };
  collect(target);
  const level = new Map<number, number>();
  const levelOf = (i: number): number => {
    const known = level.get(i);
    if (known !== undefined) return known;
    const l = stages[i].deps.reduce((m, d) => Math.max(m, levelOf(d) + 1), 0);
    level.set(i, l);
    return l;
  };
  const order = [...needed].sort((a, b) => levelOf(a) - levelOf(b) || a - b);
  const levels: number[][] = [];
  for (const i of order) (levels[levelOf(i)] ??= []).push(i);
  return { stages, target, order, levels: levels.filter(Boolean) };
}
