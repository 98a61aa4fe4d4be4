// The system commands as `--help` and the usage checks know them: version, info, the generic
// inspect, events, `system df` and `system prune`.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';

const formatFlag = { format: { type: 'string', short: 'f', usage: 'Format output using a custom template' } } as const;

export const version = defineCommand({
  usage: '[OPTIONS]',
  description: 'Show the Berth version information',
  maxArgs: 0,
  flags: formatFlag,
});

export const info = defineCommand({
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  maxArgs: 0,
  flags: formatFlag,
});

export const inspect = defineCommand({
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on Berth objects',
  complete: { args: ['object'], flags: { type: ['container', 'image', 'network', 'volume'] } },
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
    size: { type: 'bool', short: 's', usage: 'Display total file sizes if the type is container' },
    type: { type: 'string', usage: 'Return JSON for specified type' },
  },
});

export const df = defineCommand({
  usage: '[OPTIONS]',
  description: 'Show docker disk usage',
  maxArgs: 0,
  flags: {
    format: { type: 'string', usage: 'Pretty-print images using a Go template' },
    verbose: { type: 'bool', short: 'v', usage: 'Show detailed information on space usage' },
  },
});

export const events = defineCommand({
  usage: '[OPTIONS]',
  description: 'Get real time events from the server',
  maxArgs: 0,
  flags: {
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    since: { type: 'string', usage: 'Show all events created since timestamp' },
    until: { type: 'string', usage: 'Stream events until this timestamp' },
  },
});

export const prune = defineCommand({
  usage: '[OPTIONS]',
  description: 'Remove unused data',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused images not just dangling ones' },
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'label=<key>=<value>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
    volumes: { type: 'bool', usage: 'Prune anonymous volumes' },
  },
});
