// `docker import -c` and `docker commit -c`: Dockerfile instructions applied to a config, as
// dockerd's BuildFromConfig applies them — the same parser and dispatch as a build, limited to the
// instructions that only change metadata, with no build args and no layer.
import { InvalidArgument } from '../errors/index.ts';
import { emptyContainerConfig, type ContainerConfig } from '../types/index.ts';
import { BuildArgs } from './build-args.ts';
import { InstructionError, StageEvaluator } from './dispatch.ts';
import { parseInstruction } from './instructions.ts';
import { DockerfileParseError, parseDockerfile } from './parser.ts';

const changeInstructions = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/**
 * Applies the changes to `config` in place. Only fields the changes touch are written, so a
 * partial config stays partial. Errors are dockerd's ("run is not a valid change command").
 */
export function applyChanges(config: Partial<ContainerConfig>, changes: readonly string[]): void {
  const lines = changes.filter((c) => c.trim() !== '');
  if (lines.length === 0) return;
  let parsed;
  try {
    parsed = parseDockerfile(lines.join('\n'));
  } catch (err) {
    // dockerd returns the parser's own message, without the Dockerfile line prefix.
    throw err instanceof DockerfileParseError ? new InvalidArgument(err.reason) : err;
  }
  const commands = parsed.instructions.map((node) => {
    // dockerd 20.10's wording, with the keyword lower-cased, which the docker CLI shows as is.
    if (!changeInstructions.has(node.keyword.toLowerCase())) throw new InvalidArgument(`${node.keyword.toLowerCase()} is not a valid change command`);
    const cmd = parseInstruction(node);
    if (cmd.kind === 'from') throw new InvalidArgument('from is not a valid change command');
    return cmd;
  });
  const before: ContainerConfig = { ...emptyContainerConfig(), ...structuredClone(config) };
  const evaluator = new StageEvaluator({ args: new BuildArgs(new Map()), escapeToken: parsed.escapeToken, config: before });
  for (const cmd of commands) {
    try {
      evaluator.dispatch(cmd);
    } catch (err) {
      throw err instanceof InstructionError ? new InvalidArgument(err.message) : err;
    }
  }
  const after = evaluator.config as unknown as Record<string, unknown>;
  const target = config as Record<string, unknown>;
  const original = before as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(original), ...Object.keys(after)])) {
    if (JSON.stringify(original[key]) === JSON.stringify(after[key])) continue;
    if (after[key] === undefined) delete target[key];
    else target[key] = after[key];
  }
}
