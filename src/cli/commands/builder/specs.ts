// The builder commands as `--help` and the usage checks know them: build (also `image build` and
// `builder build`) and builder prune.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';

export const build = defineCommand({
  usage: '[OPTIONS] PATH | URL | -',
  description: 'Build an image from a Dockerfile',
  // the context directory and -f are the shell's file names
  complete: { args: ['file'], flags: { 'cache-from': 'image', network: 'network', progress: ['auto', 'plain', 'tty'] } },
  aliases: ['image build', 'build', 'builder build'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'add-host': { type: 'stringArray', usage: 'Add a custom host-to-IP mapping ("host:ip")', valueName: 'list' },
    'build-arg': { type: 'stringArray', usage: 'Set build-time variables', valueName: 'list' },
    'cache-from': { type: 'stringArray', usage: 'Images to consider as cache sources', valueName: 'strings' },
    'cgroup-parent': { type: 'string', usage: 'Set the parent cgroup for the "RUN" instructions during build' },
    'cpu-period': { type: 'int', usage: 'Limit the CPU CFS (Completely Fair Scheduler) period' },
    'cpu-quota': { type: 'int', usage: 'Limit the CPU CFS (Completely Fair Scheduler) quota' },
    'cpu-shares': { type: 'int', short: 'c', usage: 'CPU shares (relative weight)' },
    'cpuset-cpus': { type: 'string', usage: 'CPUs in which to allow execution (0-3, 0,1)' },
    'cpuset-mems': { type: 'string', usage: 'MEMs in which to allow execution (0-3, 0,1)' },
    file: { type: 'string', short: 'f', usage: "Name of the Dockerfile (Default is 'PATH/Dockerfile')" },
    'force-rm': { type: 'bool', usage: 'Always remove intermediate containers' },
    iidfile: { type: 'string', usage: 'Write the image ID to the file' },
    label: { type: 'stringArray', usage: 'Set metadata for an image', valueName: 'list' },
    memory: { type: 'string', short: 'm', usage: 'Memory limit', valueName: 'bytes' },
    'memory-swap': { type: 'string', usage: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap', valueName: 'bytes' },
    network: { type: 'string', usage: 'Set the networking mode for the RUN instructions during build', default: 'default' },
    'no-cache': { type: 'bool', usage: 'Do not use cache when building the image' },
    platform: { type: 'string', usage: 'Set platform if server is multi-platform capable' },
    progress: { type: 'string', usage: 'Set type of progress output ("auto", "plain", "tty")', default: 'auto' },
    pull: { type: 'bool', usage: 'Always attempt to pull a newer version of the image' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress the build output and print image ID on success' },
    rm: { type: 'bool', usage: 'Remove intermediate containers after a successful build', default: true },
    secret: { type: 'stringArray', usage: 'Secret to expose to the build ("id=mysecret,src=/local/secret")', valueName: 'stringArray' },
    'shm-size': { type: 'string', usage: 'Size of "/dev/shm"', valueName: 'bytes' },
    tag: { type: 'stringArray', short: 't', usage: 'Name and optionally a tag in the "name:tag" format', valueName: 'list' },
    target: { type: 'string', usage: 'Set the target build stage to build.' },
  },
});

export const prune = defineCommand({
  usage: '[OPTIONS]',
  description: 'Remove build cache',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused build cache, not just dangling ones' },
    filter: { type: 'stringArray', usage: 'Provide filter values (e.g. "until=24h")', valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
    'keep-storage': { type: 'string', usage: 'Amount of disk space to keep for cache', valueName: 'bytes' },
  },
});
