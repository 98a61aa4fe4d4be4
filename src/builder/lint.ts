// Build warnings with BuildKit's rule names and texts (frontend/dockerfile/linter): they are what
// `docker build` users see and what `# check=skip=…` names. The `# check=error=true` directive
// turns them into a failure, as in BuildKit.
import { InvalidArgument } from '../errors/index.ts';
import type { CheckDirective } from './directives.ts';

const rules = {
  StageNameCasing: (name: string) => `Stage name '${name}' should be lowercase`,
  FromAsCasing: (from: string, as: string) => `'${as}' and '${from}' keywords' casing do not match`,
  NoEmptyContinuation: () => 'Empty continuation line',
  ConsistentInstructionCasing: (cmd: string, casing: string) => `Command '${cmd}' should match the case of the command majority (${casing})`,
  ReservedStageName: (name: string) => `Stage name should not use the same name as reserved stage ${JSON.stringify(name)}`,
  JSONArgsRecommended: (name: string) => `JSON arguments recommended for ${name} to prevent unintended behavior related to OS signals`,
  MaintainerDeprecated: () => 'Maintainer instruction is deprecated in favor of using label',
  UndefinedArgInFrom: (arg: string) => `FROM argument '${arg}' is not declared`,
  WorkdirRelativePath: (dir: string) => `Relative workdir ${JSON.stringify(dir)} can have unexpected results if the base image changes`,
  MultipleInstructionsDisallowed: (name: string) => `Multiple ${name} instructions should not be used in the same stage because only the last one will be used`,
  LegacyKeyValueFormat: (name: string) => `"${name} key=value" should be used instead of legacy "${name} key value" format`,
  // Berth's own: it has one frontend and says so instead of fetching another.
  SyntaxDirectiveIgnored: (syntax: string) => `The syntax directive "${syntax}" is ignored: Berth builds with its own Dockerfile frontend`,
} satisfies Record<string, (...args: string[]) => string>;

export type LintRule = keyof typeof rules;

export interface LintWarning {
  rule: LintRule;
  message: string;
  line: number;
  url?: string;
}

const slug = (rule: string) => rule.replace(/([a-z])([A-Z])/g, '$1-$2').replace(/JSONArgs/, 'json-args').toLowerCase();

export function lint<R extends LintRule>(rule: R, line: number, ...args: Parameters<(typeof rules)[R]>): LintWarning {
  const format = rules[rule] as (...a: string[]) => string;
  const message = format(...(args as string[]));
  return rule === 'SyntaxDirectiveIgnored' ? { rule, message, line } : { rule, message, line, url: `https://docs.docker.com/go/dockerfile/rule/${slug(rule)}/` };
}

/** Drops the warnings `# check=skip=` names; with `error=true` any left fail the build. */
export function applyCheckDirective(warnings: LintWarning[], check: CheckDirective | undefined): LintWarning[] {
  if (!check) return warnings;
  const kept = check.skip === 'all' ? [] : warnings.filter((w) => !(check.skip as string[]).includes(w.rule));
  if (check.error && kept.length > 0) {
    throw new InvalidArgument(`lint violation found for rules: ${[...new Set(kept.map((w) => w.rule))].join(', ')}`);
  }
  return kept;
}

/** The warnings as BuildKit's client lists them after a build. */
export function formatLintWarnings(warnings: readonly LintWarning[]): string[] {
  if (warnings.length === 0) return [];
  const head = ` ${warnings.length} warning${warnings.length === 1 ? '' : 's'} found:`;
  return [head, ...warnings.map((w) => ` - ${w.rule}: ${w.message}${w.line > 0 ? ` (line ${w.line})` : ''}`)];
}
