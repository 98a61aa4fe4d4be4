// The context commands as `--help` and the usage checks know them, with docker's names, flags
// and texts.
import { defineCommand } from '../../command.ts';

const endpointHelp = `Berth endpoint config:

NAME                DESCRIPTION
from                Copy named context's Berth endpoint configuration
host                Berth endpoint on which to connect
ca                  Trust certs signed only by this CA
cert                Path to TLS certificate file
key                 Path to TLS key file
skip-tls-verify     Skip TLS certificate validation`;

/** --docker's check as pflag's stringToString makes it: every item is key=value. */
function validDockerOption(raw: string): void {
  for (const item of raw.split(',')) if (!item.includes('=')) throw new Error(`${item} must be formatted as key=value`);
}

const endpointFlags = {
  description: { type: 'string', usage: 'Description of the context' },
  docker: { type: 'stringArray', usage: 'set the docker endpoint (default [])', valueName: 'stringToString', validate: validDockerOption },
} as const;

const formatUsage = (table: boolean) =>
  "Format output using a custom template:\n" +
  (table ? "'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n" : '') +
  "'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

export const create = defineCommand({
  usage: '[OPTIONS] CONTEXT',
  description: 'Create a context',
  local: true,
  help: `Create a context\n\n${endpointHelp}\n\nExample:\n\n$ berth context create my-context --description "some description" --docker "host=tcp://myserver:2376,ca=~/ca-file,cert=~/cert-file,key=~/key-file"`,
  minArgs: 1,
  maxArgs: 1,
  flags: { ...endpointFlags, from: { type: 'string', usage: 'create context from a named context' } },
  complete: { args: ['none'], flags: { from: 'context' } },
});

export const list = defineCommand({
  usage: '[OPTIONS]',
  description: 'List contexts',
  local: true,
  aliases: ['context ls', 'context list'],
  maxArgs: 0,
  flags: {
    format: { type: 'string', usage: formatUsage(true) },
    quiet: { type: 'bool', short: 'q', usage: 'Only show context names' },
  },
});

export const use = defineCommand({
  usage: 'CONTEXT',
  description: 'Set the current berth context',
  local: true,
  minArgs: 1,
  maxArgs: 1,
  flags: {},
  complete: { args: ['context'] },
});

export const show = defineCommand({
  usage: '',
  description: 'Print the name of the current context',
  local: true,
  maxArgs: 0,
  flags: {},
});

export const inspect = defineCommand({
  usage: '[OPTIONS] [CONTEXT] [CONTEXT...]',
  description: 'Display detailed information on one or more contexts',
  local: true,
  flags: { format: { type: 'string', short: 'f', usage: formatUsage(false) } },
  complete: { args: ['context'] },
});

export const rm = defineCommand({
  usage: 'CONTEXT [CONTEXT...]',
  description: 'Remove one or more contexts',
  local: true,
  aliases: ['context rm', 'context remove'],
  minArgs: 1,
  flags: { force: { type: 'bool', short: 'f', usage: 'Force the removal of a context in use' } },
  complete: { args: ['context'] },
});

export const exportContext = defineCommand({
  usage: '[OPTIONS] CONTEXT [FILE|-]',
  description: 'Export a context to a tar archive FILE or a tar stream on STDOUT.',
  local: true,
  minArgs: 1,
  maxArgs: 2,
  flags: {},
  complete: { args: ['context', 'file'] },
});

export const importContext = defineCommand({
  usage: 'CONTEXT FILE|-',
  description: 'Import a context from a tar or zip file',
  local: true,
  minArgs: 2,
  maxArgs: 2,
  flags: {},
  complete: { args: ['none', 'file'] },
});

export const update = defineCommand({
  usage: '[OPTIONS] CONTEXT',
  description: 'Update a context',
  local: true,
  help: `Update a context\n\n${endpointHelp.replace('from                Copy named context\'s Berth endpoint configuration\n', '')}\n\nExample:\n\n$ berth context update my-context --description "some description" --docker "host=tcp://myserver:2376,ca=~/ca-file,cert=~/cert-file,key=~/key-file"`,
  minArgs: 1,
  maxArgs: 1,
  flags: endpointFlags,
  complete: { args: ['context'] },
});
