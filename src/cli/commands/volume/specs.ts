// The volume commands as `--help` and the usage checks know them.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';

export const create = defineCommand({
  usage: '[OPTIONS] [VOLUME]',
  description: 'Create a volume',
  complete: { args: ['none'] },
  maxArgs: 1,
  flags: {
    driver: { type: 'string', short: 'd', usage: 'Specify volume driver name', default: 'local' },
    label: { type: 'stringArray', usage: 'Set metadata for a volume', valueName: 'list' },
    name: { type: 'string', usage: 'Specify volume name', hidden: true },
    opt: { type: 'stringArray', short: 'o', usage: 'Set driver specific options', valueName: 'map' },
  },
});

export const ls = defineCommand({
  usage: '[OPTIONS]',
  description: 'List volumes',
  aliases: ['volume ls', 'volume list'],
  maxArgs: 0,
  flags: {
    cluster: { type: 'bool', usage: 'Display only cluster volumes, and use cluster volume list formatting', hidden: true },
    filter: { type: 'stringArray', short: 'f', usage: "Provide filter values (e.g. 'dangling=true')", valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    quiet: { type: 'bool', short: 'q', usage: 'Only display volume names' },
  },
});

export const inspect = defineCommand({
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Display detailed information on one or more volumes',
  complete: { args: ['volume'] },
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
  },
});

export const rm = defineCommand({
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  complete: { args: ['volume'] },
  aliases: ['volume rm', 'volume remove'],
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', usage: 'Force the removal of one or more volumes' },
  },
});

export const prune = defineCommand({
  usage: '[OPTIONS]',
  description: 'Remove unused local volumes',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused volumes, not just anonymous ones' },
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'label=<label>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
});
