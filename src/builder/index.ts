// src/builder — the image builder (issue #10). README:
//
// Owns the Dockerfile language and the build model: the one Dockerfile implementation in Berth
// (builds, and `import -c`/`commit -c` through applyChanges). Phase one, here, is everything that
// needs no container:
//
//   shell-lexer.ts   words, quotes, $VAR / ${VAR…} expansion (BuildKit's lexer: envVarTest, wordsTest)
//   parser.ts        text → instruction nodes: directives, continuations, heredocs (BuildKit's parser
//                    and AST dump: its testfiles fixtures); directives.ts for `# escape/syntax/check`
//   instructions.ts  nodes → typed instructions and stages, flags (flags.ts) and docker's errors;
//                    run-mount.ts for RUN --mount/--network; lint.ts for BuildKit's warnings
//   plan.ts          a build: meta args, FROM expansion, --platform (platform.ts), --target, the
//                    stage graph (stage-graph.ts), and per stage the step plans (dispatch.ts), with
//                    ARG scoping and --build-arg (build-args.ts), ONBUILD triggers and --label
//   dispatch.ts      one stage as a state machine: the image config after each instruction and what
//                    dockerd's classic builder records (history.ts: created_by, container_config)
//   changes.ts       `import -c` / `commit -c`
//   dockerignore.ts  .dockerignore reading and matching, for the CLI (packing) and the daemon
//   cache-key.ts     step cache keys: parent, expanded instruction, build args, files read (no mtime)
//   ports.ts         the interfaces the execution phase implements (below)
//
// Execution (phase two) plugs in through ports.ts: a BuildExecutor bundles the BuildContextReader
// (the streamed context on disk), the BaseImageResolver (local or pulled images, platform checked),
// the StepRunner (RUN in a container on the parent's layer chain with mounts, network, env and
// user, returning the upper dir's diff; COPY/ADD; WORKDIR), the ImageCommitter (layer store +
// image store, as commit does) and the BuildCacheStore (key → image ID, persistent). The
// orchestrator walks BuildPlan.graph.levels (stages of a level in parallel, bounded by the cores),
// calls planStage once a stage's base is resolved, and for each step computes stepCacheKey, asks
// the cache, else runs the step and commits it with historyEntry. The /build API and `berth build`
// sit on top of that.
export { ShellLexer, LexError, envFromList, envFromMap, emptyEnv, type EnvGetter, type LexOptions, type WordResult } from './shell-lexer.ts';
export {
  parseDockerfile,
  dumpAst,
  dumpNode,
  formatParseWarnings,
  heredocsFromLine,
  parseHeredoc,
  chompHeredocContent,
  DockerfileParseError,
  type Heredoc,
  type InstructionNode,
  type ParseResult,
  type ParseWarning,
} from './parser.ts';
export { parseCheckDirective, type CheckDirective } from './directives.ts';
export {
  parseInstruction,
  parseStages,
  labelInstruction,
  type Command,
  type Stage,
  type Dockerfile,
  type FromInstruction,
  type KeyValue,
  type SourceContent,
  type InlineFile,
} from './instructions.ts';
export { lint, applyCheckDirective, formatLintWarnings, type LintRule, type LintWarning } from './lint.ts';
export { parseMount, parseNetworkMode, type MountSpec, type MountType, type CacheSharing, type NetworkMode } from './run-mount.ts';
export { checkRunnablePlatform, platformArgs } from './platform.ts';
export { BuildArgs, builtinBuildArgs, type BuildArgValues } from './build-args.ts';
export {
  StageEvaluator,
  InstructionError,
  beginStageConfig,
  copyCommit,
  canonicalJson,
  defaultShell,
  type StepPlan,
  type MetadataStep,
  type RunStep,
  type CopyStep,
  type WorkdirStep,
  type ResolvedMount,
  type InlineRunFile,
  type SourceRef,
} from './dispatch.ts';
export { BuildPlan, type BuildRequest, type BaseImage, type StagePlan } from './plan.ts';
export { buildStageGraph, resolveStageReference, type StageGraph, type GraphStage, type StageBase } from './stage-graph.ts';
export { applyChanges } from './changes.ts';
export { parseDockerignore, DockerignoreMatcher, keepBuildFiles, type MatchInfo } from './dockerignore.ts';
export { sourcesDigest, stepCacheKey, historySourceHash, type FileRecord, type FileType, type StepCacheInput } from './cache-key.ts';
export { goQuoteList, goQuoteHealthcheck, copyMessage } from './history.ts';
export {
  historyEntry,
  type BuildExecutor,
  type BaseImageResolver,
  type StepRunner,
  type ImageCommitter,
  type BuildCacheStore,
  type ImageHandle,
  type LayerResult,
  type ResolvedSource,
  type StepIO,
  type PreparedCopy,
} from './ports.ts';
export { executeBuild, StepFailed, type BuildOutput, type BuildResult, type ExecuteOptions } from './execute.ts';
