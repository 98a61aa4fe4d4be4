// The image commands as `--help` and the usage checks know them.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';

export const images = defineCommand({
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  aliases: ['image ls', 'image list'],
  maxArgs: 1,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all images (default hides intermediate images)' },
    digests: { type: 'bool', usage: 'Show digests' },
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', usage: 'Only show image IDs' },
  },
});

export const rmi = defineCommand({
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  complete: { args: ['image'] },
  aliases: ['image rm', 'image remove'],
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', usage: 'Force removal of the image' },
    'no-prune': { type: 'bool', usage: 'Do not delete untagged parents' },
  },
});

export const tag = defineCommand({
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  complete: { args: ['image', 'none'] },
  aliases: ['image tag'],
  minArgs: 2,
  maxArgs: 2,
  flags: {},
});

export const history = defineCommand({
  usage: '[OPTIONS] IMAGE',
  description: 'Show the history of an image',
  complete: { args: ['image'] },
  aliases: ['image history'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    format: { type: 'string', usage: 'Format output using a custom template' },
    human: { type: 'bool', short: 'H', usage: 'Print sizes and dates in human readable format', default: true },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', usage: 'Only show image IDs' },
  },
});

export const importImage = defineCommand({
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  complete: { args: ['file', 'none'] },
  aliases: ['image import'],
  minArgs: 1,
  maxArgs: 2,
  flags: {
    change: { type: 'stringArray', short: 'c', usage: 'Apply Dockerfile instruction to the created image', valueName: 'list' },
    message: { type: 'string', short: 'm', usage: 'Set commit message for imported image' },
    platform: { type: 'string', usage: 'Set platform if server is multi-platform capable' },
  },
});

export const inspect = defineCommand({
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  complete: { args: ['image'] },
  minArgs: 1,
  flags: { format: { type: 'string', short: 'f', usage: 'Format output using a custom template' } },
});

export const save = defineCommand({
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  complete: { args: ['image'], flags: { output: 'file' } },
  aliases: ['image save'],
  minArgs: 1,
  flags: { output: { type: 'string', short: 'o', usage: 'Write to a file, instead of STDOUT' } },
});

export const load = defineCommand({
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  complete: { flags: { input: 'file' } },
  aliases: ['image load'],
  maxArgs: 0,
  flags: {
    input: { type: 'string', short: 'i', usage: 'Read from tar archive file, instead of STDIN' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress the load output' },
  },
});

export const prune = defineCommand({
  usage: '[OPTIONS]',
  description: 'Remove unused images',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused images, not just dangling ones' },
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'until=<timestamp>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
});
