// A whole build, planned without running anything: the meta args (ARG before FROM) evaluated,
// the FROM lines expanded, the stage graph for the target, and — once the execution phase has
// resolved a stage's base image — the stage's steps, ONBUILD triggers of the base first and
// `--label` values last, as dockerd's classic builder orders them.
import { byteOrder, parsePlatform, type Platform } from '../lib/index.ts';
import type { ContainerConfig } from '../types/index.ts';
import { BuildArgs, type BuildArgValues } from './build-args.ts';
import { beginStageConfig, InstructionError, StageEvaluator, type StepPlan } from './dispatch.ts';
import { labelInstruction, parseInstruction, type Command, type Dockerfile, type Stage } from './instructions.ts';
import { applyCheckDirective, lint, type LintWarning } from './lint.ts';
import { DockerfileParseError, parseDockerfile } from './parser.ts';
import { checkRunnablePlatform, platformArgs } from './platform.ts';
import { envFromMap, ShellLexer } from './shell-lexer.ts';
import { buildStageGraph, resolveStageReference, type StageBase, type StageGraph } from './stage-graph.ts';

export interface BuildRequest {
  /** --build-arg values (see BuildArgValues for null). */
  buildArgs?: BuildArgValues;
  /** --target: the stage to build; default the last. */
  target?: string;
  /** --label: added to the final image, not expanded. */
  labels?: Readonly<Record<string, string>>;
  /** The daemon's platform: BUILDPLATFORM, and the only one a stage may run. */
  hostPlatform: Platform;
}

/** A stage's base image, as the execution phase found it. */
export interface BaseImage {
  /** Image ID; "" for scratch. */
  id: string;
  /** The image's config (its `config` object); null for scratch. */
  config: Partial<ContainerConfig> | null;
}

export interface StagePlan {
  index: number;
  /** The AS name or "". */
  name: string;
  /** "# Executing N build trigger(s)" when the base image had ONBUILD triggers. */
  triggerMessage?: string;
  steps: StepPlan[];
  /** The stage's final image config (Image: the base ID; the executor sets the real parent). */
  config: ContainerConfig;
  /** The stage's own warnings (check directive applied). */
  warnings: LintWarning[];
}

export class BuildPlan {
  readonly dockerfile: Dockerfile;
  readonly graph: StageGraph;
  /** The stages' FROM names with the meta args expanded. */
  readonly baseNames: string[];
  /** Parse-time warnings, check directive applied. */
  readonly warnings: LintWarning[];
  readonly #request: BuildRequest;
  readonly #args: BuildArgs;
  readonly #escape: '\\' | '`';
  readonly #triggerArgs = new Set<string>();
  /** How many LABEL steps --label adds to the target stage (one per label, as dockerd). */
  readonly labelSteps: number;

  constructor(dockerfile: Dockerfile, request: BuildRequest) {
    this.dockerfile = dockerfile;
    this.#request = request;
    this.#escape = dockerfile.escapeToken;
    this.labelSteps = Object.keys(request.labels ?? {}).length;
    const automatic = platformArgs(request.hostPlatform, request.hostPlatform);
    this.#args = new BuildArgs(request.buildArgs ?? new Map(), automatic);
    const lex = new ShellLexer(this.#escape);
    for (const meta of dockerfile.metaArgs) {
      const env = envFromMap(this.#args.allAllowed());
      for (const arg of meta.args) {
        try {
          const key = lex.processWord(arg.key, env).result;
          const value = arg.value === undefined ? undefined : lex.processWord(arg.value, env).result;
          this.#args.addArg(key, value);
          this.#args.addMetaArg(key, value);
        } catch (err) {
          throw new InstructionError((err as Error).message, meta.line, { cause: err });
        }
      }
    }
    const metaEnv = envFromMap(this.#args.allMeta());
    const declared = new Set(this.#args.allMeta().keys());
    const warnings = [...dockerfile.warnings];
    this.baseNames = dockerfile.stages.map((stage) => {
      let result;
      try {
        result = lex.processWord(stage.baseName, metaEnv);
      } catch (err) {
        throw new InstructionError((err as Error).message, stage.line, { cause: err });
      }
      for (const name of result.unmatched) if (!declared.has(name)) warnings.push(lint('UndefinedArgInFrom', stage.line, name));
      if (result.result === '') throw new InstructionError(`base name (${stage.baseName}) should not be blank`, stage.line);
      return result.result;
    });
    this.warnings = applyCheckDirective(warnings, dockerfile.check);
    const names = new Set<string>();
    for (const stage of dockerfile.stages) {
      if (stage.name === '') continue;
      if (names.has(stage.name)) throw new InstructionError(`${stage.name} stage name already used`, stage.line);
      names.add(stage.name);
    }
    this.graph = buildStageGraph(
      dockerfile.stages.map((s, i) => ({ name: s.name, baseName: this.baseNames[i], commands: s.commands })),
      request.target !== undefined ? { target: request.target } : {},
    );
  }

  /** What stage `index` starts from, and its platform when FROM asked for one (checked runnable). */
  stageBase(index: number): StageBase & { platform?: Platform } {
    const stage = this.dockerfile.stages[index];
    const base = this.graph.stages[index].base;
    if (stage.platform === '') return base;
    let spec: string;
    try {
      spec = new ShellLexer(this.#escape).processWord(stage.platform, envFromMap(this.#args.allMeta())).result;
    } catch (err) {
      throw new InstructionError(`failed to process arguments for platform ${stage.platform}: ${(err as Error).message}`, stage.line, { cause: err });
    }
    if (spec === '') throw new InstructionError(`empty platform value from expression ${stage.platform}`, stage.line);
    let platform: Platform;
    try {
      platform = parsePlatform(spec, this.#request.hostPlatform);
    } catch (err) {
      throw new InstructionError(`failed to parse platform ${spec}: ${(err as Error).message}`, stage.line, { cause: err });
    }
    try {
      checkRunnablePlatform(platform, this.#request.hostPlatform);
    } catch (err) {
      throw new InstructionError((err as Error).message, stage.line, { cause: err });
    }
    return { ...base, platform };
  }

  /**
   * The steps of stage `index` on its resolved base. The base's ONBUILD triggers run first (and
   * are cleared from the config); the target stage gets the --label values last.
   */
  planStage(index: number, base: BaseImage): StagePlan {
    const stage: Stage = this.dockerfile.stages[index];
    const config = beginStageConfig(base.config, base.id);
    const triggers = config.OnBuild ?? [];
    config.OnBuild = null;
    const scope = this.#args.forStage();
    const evaluator = new StageEvaluator({
      args: scope,
      escapeToken: this.#escape,
      config,
      resolveSource: (name) => resolveStageReference(this.dockerfile.stages, name),
    });
    const steps: StepPlan[] = [];
    const commands: Command[] = [...triggers.map((t) => parseTrigger(t, stage.line)), ...stage.commands];
    if (index === this.graph.target) for (const [k, v] of Object.entries(this.#request.labels ?? {}).sort(([a], [b]) => byteOrder(a, b))) commands.push(labelInstruction(k, v));
    for (const cmd of commands) steps.push(evaluator.dispatch(cmd));
    for (const t of commands.slice(0, triggers.length)) if (t.kind === 'arg') for (const a of t.args) this.#triggerArgs.add(a.key);
    this.#args.mergeReferenced(scope);
    return {
      index,
      name: stage.name,
      ...(triggers.length > 0 ? { triggerMessage: `# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}` } : {}),
      steps,
      config: evaluator.config,
      warnings: applyCheckDirective(evaluator.warnings, this.dockerfile.check),
    };
  }

  /**
   * dockerd's "[Warning] One or more build-args [...] were not consumed", or undefined. An ARG in
   * any stage up to the target counts as consuming (dockerd's classic builder runs them all).
   */
  unusedArgsWarning(): string | undefined {
    const declared = this.dockerfile.stages.slice(0, this.graph.target + 1).flatMap((s) => s.commands.flatMap((c) => (c.kind === 'arg' ? c.args.map((a) => a.key) : [])));
    return this.#args.unusedWarning([...declared, ...this.#triggerArgs]);
  }
}

/** An ONBUILD trigger of the base image, parsed as the single instruction it must be. */
function parseTrigger(trigger: string, line: number): Command {
  let parsed;
  try {
    parsed = parseDockerfile(trigger);
  } catch (err) {
    throw new InstructionError((err as Error).message, line, { cause: err });
  }
  if (parsed.instructions.length !== 1) throw new InstructionError('onbuild trigger should be a single expression', line);
  let cmd;
  try {
    cmd = parseInstruction(parsed.instructions[0]);
  } catch (err) {
    throw new InstructionError(err instanceof DockerfileParseError ? err.message : `dockerfile parse error on line 1: ${(err as Error).message}`, line, { cause: err });
  }
  if (cmd.kind === 'from') throw new InstructionError('FROM isn\'t allowed as an ONBUILD trigger', line);
  return { ...cmd, line };
}
