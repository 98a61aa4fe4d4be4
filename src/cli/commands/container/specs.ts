// The container commands as `--help` and the usage checks know them: names, usage, flags and
// arity. Their implementations are in the files named after them.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';
import { containerFlags, updatableResourceFlags } from './create-flags.ts';

const detachKeysFlag = { type: 'string', usage: 'Override the key sequence for detaching a container' } as const;
/** What run and create complete: an image, then the container's command; names for some flags. */
const runCompletion = {
  args: ['image', 'none'],
  flags: {
    network: 'network',
    'volumes-from': 'container',
    'env-file': 'file',
    'label-file': 'file',
    cidfile: 'file',
    pull: ['always', 'missing', 'never'],
    restart: ['no', 'always', 'on-failure', 'unless-stopped'],
  },
} as const;
const formatFlag = { type: 'string', short: 'f', usage: 'Format output using a custom template' } as const;

export const run = defineCommand({
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  complete: runCompletion,
  aliases: ['container run'],
  stopAtFirstArg: true,
  minArgs: 1,
  usageErrorStatus: 125,
  flags: {
    ...containerFlags,
    detach: { type: 'bool', short: 'd', usage: 'Run container in background and print container ID' },
    'detach-keys': detachKeysFlag,
    'sig-proxy': { type: 'bool', usage: 'Proxy received signals to the process', default: true },
  },
});

export const create = defineCommand({
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  complete: runCompletion,
  aliases: ['container create'],
  stopAtFirstArg: true,
  minArgs: 1,
  usageErrorStatus: 125,
  flags: containerFlags,
});

export const start = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  complete: { args: ['container-stopped'] },
  aliases: ['container start'],
  minArgs: 1,
  flags: {
    attach: { type: 'bool', short: 'a', usage: 'Attach STDOUT/STDERR and forward signals' },
    interactive: { type: 'bool', short: 'i', usage: "Attach container's STDIN" },
    'detach-keys': detachKeysFlag,
  },
});

const stopFlags = {
  signal: { type: 'string', short: 's', usage: 'Signal to send to the container' },
  time: { type: 'int', short: 't', usage: 'Seconds to wait before killing the container' },
} as const;

export const stop = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  complete: { args: ['container-running'] },
  aliases: ['container stop'],
  minArgs: 1,
  flags: stopFlags,
});

export const restart = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  complete: { args: ['container'] },
  aliases: ['container restart'],
  minArgs: 1,
  flags: stopFlags,
});

export const kill = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  complete: { args: ['container-running'] },
  aliases: ['container kill'],
  minArgs: 1,
  flags: { signal: { type: 'string', short: 's', usage: 'Signal to send to the container' } },
});

export const rm = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  complete: { args: ['container'] },
  aliases: ['container rm', 'container remove'],
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', usage: 'Force the removal of a running container (uses SIGKILL)' },
    link: { type: 'bool', short: 'l', usage: 'Remove the specified link' },
    volumes: { type: 'bool', short: 'v', usage: 'Remove anonymous volumes associated with the container' },
  },
});

export const ps = defineCommand({
  usage: '[OPTIONS]',
  description: 'List containers',
  aliases: ['container ls', 'container list', 'container ps'],
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all containers (default shows just running)' },
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    last: { type: 'int', short: 'n', usage: 'Show n last created containers (includes all states)', default: -1 },
    latest: { type: 'bool', short: 'l', usage: 'Show the latest created container (includes all states)' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', usage: 'Only display container IDs' },
    size: { type: 'bool', short: 's', usage: 'Display total file sizes' },
  },
});

export const logs = defineCommand({
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  complete: { args: ['container'] },
  aliases: ['container logs'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    details: { type: 'bool', usage: 'Show extra details provided to logs' },
    follow: { type: 'bool', short: 'f', usage: 'Follow log output' },
    since: { type: 'string', usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    tail: { type: 'string', short: 'n', usage: 'Number of lines to show from the end of the logs', default: 'all' },
    timestamps: { type: 'bool', short: 't', usage: 'Show timestamps' },
    until: { type: 'string', usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  },
});

export const wait = defineCommand({
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  complete: { args: ['container'] },
  aliases: ['container wait'],
  minArgs: 1,
  flags: {
    condition: { type: 'string', usage: 'Condition to wait for: "not-running", "next-exit" or "removed"', default: 'not-running' },
  },
});

export const prune = defineCommand({
  usage: '[OPTIONS]',
  description: 'Remove all stopped containers',
  maxArgs: 0,
  flags: {
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'until=<timestamp>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
});

export const rename = defineCommand({
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  complete: { args: ['container', 'none'] },
  aliases: ['container rename'],
  minArgs: 2,
  maxArgs: 2,
  flags: {},
});

export const inspect = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  complete: { args: ['container'] },
  minArgs: 1,
  flags: {
    format: formatFlag,
    size: { type: 'bool', short: 's', usage: 'Display total file sizes' },
  },
});

export const attach = defineCommand({
  usage: '[OPTIONS] CONTAINER',
  description: 'Attach local standard input, output, and error streams to a running container',
  complete: { args: ['container-running'] },
  aliases: ['container attach'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'detach-keys': detachKeysFlag,
    'no-stdin': { type: 'bool', usage: 'Do not attach STDIN' },
    'sig-proxy': { type: 'bool', usage: 'Proxy all received signals to the process', default: true },
  },
});

export const exec = defineCommand({
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  complete: { args: ['container-running', 'none'], flags: { 'env-file': 'file' } },
  aliases: ['container exec'],
  stopAtFirstArg: true,
  minArgs: 2,
  flags: {
    detach: { type: 'bool', short: 'd', usage: 'Detached mode: run command in the background' },
    'detach-keys': detachKeysFlag,
    env: { type: 'stringArray', short: 'e', usage: 'Set environment variables', valueName: 'list' },
    'env-file': { type: 'stringArray', usage: 'Read in a file of environment variables', valueName: 'list' },
    interactive: { type: 'bool', short: 'i', usage: 'Keep STDIN open even if not attached' },
    privileged: { type: 'bool', usage: 'Give extended privileges to the command' },
    tty: { type: 'bool', short: 't', usage: 'Allocate a pseudo-TTY' },
    user: { type: 'string', short: 'u', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    workdir: { type: 'string', short: 'w', usage: 'Working directory inside the container' },
  },
});

export const top = defineCommand({
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  complete: { args: ['container-running', 'none'] },
  aliases: ['container top'],
  stopAtFirstArg: true,
  minArgs: 1,
  flags: {},
});

export const pause = defineCommand({
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  complete: { args: ['container-running'] },
  aliases: ['container pause'],
  minArgs: 1,
  flags: {},
});

export const unpause = defineCommand({
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  complete: { args: ['container-paused'] },
  aliases: ['container unpause'],
  minArgs: 1,
  flags: {},
});

export const port = defineCommand({
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  complete: { args: ['container', 'none'] },
  aliases: ['container port'],
  minArgs: 1,
  maxArgs: 2,
  flags: {},
});

const outputFlag = { output: { type: 'string', short: 'o', usage: 'Write to a file, instead of STDOUT' } } as const;

export const exportContainer = defineCommand({
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  complete: { args: ['container'], flags: { output: 'file' } },
  aliases: ['container export'],
  minArgs: 1,
  maxArgs: 1,
  flags: outputFlag,
});

export const commit = defineCommand({
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  complete: { args: ['container', 'none'] },
  aliases: ['container commit'],
  minArgs: 1,
  maxArgs: 2,
  flags: {
    author: { type: 'string', short: 'a', usage: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    change: { type: 'stringArray', short: 'c', usage: 'Apply Dockerfile instruction to the created image', valueName: 'list' },
    message: { type: 'string', short: 'm', usage: 'Commit message' },
    pause: { type: 'bool', short: 'p', usage: 'Pause container during commit', default: true },
  },
});

export const cp = defineCommand({
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  complete: { args: ['container-path'] },
  aliases: ['container cp'],
  minArgs: 2,
  maxArgs: 2,
  flags: {
    archive: { type: 'bool', short: 'a', usage: 'Archive mode (copy all uid/gid information)' },
    'follow-link': { type: 'bool', short: 'L', usage: 'Always follow symbol link in SRC_PATH' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' },
  },
});

export const diff = defineCommand({
  usage: 'CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  complete: { args: ['container'] },
  aliases: ['container diff'],
  minArgs: 1,
  maxArgs: 1,
  flags: {},
});

export const stats = defineCommand({
  usage: '[OPTIONS] [CONTAINER...]',
  description: "Display a live stream of container(s) resource usage statistics",
  complete: { args: ['container-running'] },
  aliases: ['container stats'],
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all containers (default shows just running)' },
    format: { type: 'string', usage: 'Format output using a custom template:\n\'table\':            Print output in table format with column headers (default)\n\'table TEMPLATE\':   Print output in table format using the given Go template\n\'json\':             Print in JSON format\n\'TEMPLATE\':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' },
    'no-stream': { type: 'bool', usage: 'Disable streaming stats and only pull the first result' },
    'no-trunc': { type: 'bool', usage: 'Do not truncate output' },
  },
});

export const update = defineCommand({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Update configuration of one or more containers',
  complete: { args: ['container'], flags: { restart: ['no', 'always', 'on-failure', 'unless-stopped'] } },
  aliases: ['container update'],
  minArgs: 1,
  flags: {
    ...updatableResourceFlags,
    // --kernel-memory is deprecated: runc no longer applies it (docker hides it too)
    'kernel-memory': { ...updatableResourceFlags['kernel-memory'], hidden: true },
    restart: { type: 'string', usage: 'Restart policy to apply when a container exits' },
  },
});
