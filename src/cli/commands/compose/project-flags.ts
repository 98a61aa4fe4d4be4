// The options of `berth compose` itself (-f, -p, --env-file…): the management command's own
// flags, which every subcommand's spec accepts too (specs.ts). Apart from the specs so that the
// command table names them without loading every compose spec.
import type { FlagSpecs } from '../../flags.ts';

export const projectFlags = {
  ansi: { type: 'string', usage: 'Control when to print ANSI control characters ("never"|"always"|"auto")', default: 'auto' },
  'env-file': { type: 'stringArray', usage: 'Specify an alternate environment file' },
  file: { type: 'stringArray', short: 'f', usage: 'Compose configuration files' },
  parallel: { type: 'int', usage: 'Control max parallelism, -1 for unlimited', default: -1 },
  profile: { type: 'stringArray', usage: 'Specify a profile to enable' },
  progress: { type: 'string', usage: 'Set type of progress output (auto, tty, plain, json, quiet)', default: 'auto' },
  'project-directory': { type: 'string', usage: 'Specify an alternate working directory\n(default: the path of the, first specified, Compose file)' },
  'project-name': { type: 'string', short: 'p', usage: 'Project name' },
  workdir: { type: 'string', usage: 'DEPRECATED! USE --project-directory INSTEAD.', hidden: true },
  'no-ansi': { type: 'bool', usage: 'Do not print ANSI control characters (DEPRECATED)', hidden: true },
} as const satisfies FlagSpecs;

export type ProjectFlagSpecs = typeof projectFlags;
