// The registry commands as `--help` and the usage checks know them: login, logout, pull, push
// and search.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';

export const login = defineCommand({
  usage: '[OPTIONS] [SERVER]',
  description: 'Authenticate to a registry',
  maxArgs: 1,
  flags: {
    password: { type: 'string', short: 'p', usage: 'Password or Personal Access Token (PAT)' },
    'password-stdin': { type: 'bool', usage: 'Take the Password or Personal Access Token (PAT) from stdin' },
    username: { type: 'string', short: 'u', usage: 'Username' },
  },
});

export const logout = defineCommand({
  usage: '[SERVER]',
  description: 'Log out from a registry',
  local: true,
  maxArgs: 1,
  flags: {},
});

export const pull = defineCommand({
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  complete: { args: ['none'] },
  aliases: ['image pull'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'all-tags': { type: 'bool', short: 'a', usage: 'Download all tagged images in the repository' },
    platform: { type: 'string', usage: 'Set platform if server is multi-platform capable' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress verbose output' },
  },
});

export const push = defineCommand({
  usage: '[OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  complete: { args: ['image'] },
  aliases: ['image push'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'all-tags': { type: 'bool', short: 'a', usage: 'Push all tags of an image to the repository' },
    platform: { type: 'string', usage: 'Push a platform-specific manifest as a single-platform image' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress verbose output' },
  },
});

export const search = defineCommand({
  usage: '[OPTIONS] TERM',
  description: 'Search Docker Hub for images',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Pretty-print search using a Go template' },
    limit: { type: 'string', usage: 'Max number of search results', valueName: 'int' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
  },
});
