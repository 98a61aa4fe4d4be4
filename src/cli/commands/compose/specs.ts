// The compose commands as `--help` and the usage checks know them: Docker Compose v2's commands
// with its flags. The project flags (-f, -p, --env-file…) belong to `berth compose` itself and,
// like cobra's persistent flags, are accepted after the subcommand too; a subcommand's own flag
// wins where both use a letter (`logs -f` follows, `run -p` publishes).
import { defineCommand, type CommandSpec } from '../../command.ts';
import type { FlagSpecs } from '../../flags.ts';
import { projectFlags, type ProjectFlagSpecs } from './project-flags.ts';

/** compose's flag errors exit 16 (CommandSyntaxFailure). */
const usageErrorStatus = 16;

/** A subcommand's flags with the project flags added, hidden from its help (they are the group's). */
function withProject<const F extends FlagSpecs>(own: F): F & ProjectFlagSpecs {
  const taken = new Set(Object.values(own).map((f) => f.short).filter(Boolean));
  const out: FlagSpecs = { ...own };
  for (const [name, spec] of Object.entries(projectFlags)) {
    if (name in own) continue;
    const { short, ...rest } = spec as FlagSpecs[string];
    out[name] = { ...rest, ...(short && !taken.has(short) ? { short } : {}), hidden: true };
  }
  return out as F & ProjectFlagSpecs;
}

function compose<const F extends FlagSpecs>(spec: CommandSpec<F>): CommandSpec<F & ProjectFlagSpecs> {
  return defineCommand({ ...spec, flags: withProject(spec.flags), usageErrorStatus });
}

export const up = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Create and start containers',
  flags: {
    'abort-on-container-exit': { type: 'bool', usage: 'Stops all containers if any container was stopped. Incompatible with -d' },
    'abort-on-container-failure': { type: 'bool', usage: 'Stops all containers if any container exited with failure. Incompatible with -d' },
    'always-recreate-deps': { type: 'bool', usage: 'Recreate dependent containers. Incompatible with --no-recreate.' },
    attach: { type: 'stringArray', usage: 'Restrict attaching to the specified services. Incompatible with --attach-dependencies.' },
    'attach-dependencies': { type: 'bool', usage: 'Automatically attach to log output of dependent services' },
    build: { type: 'bool', usage: 'Build images before starting containers' },
    detach: { type: 'bool', short: 'd', usage: 'Detached mode: Run containers in the background' },
    'exit-code-from': { type: 'string', usage: 'Return the exit code of the selected service container. Implies --abort-on-container-exit' },
    'force-recreate': { type: 'bool', usage: "Recreate containers even if their configuration and image haven't changed" },
    'no-attach': { type: 'stringArray', usage: 'Do not attach (stream logs) to the specified services' },
    'no-build': { type: 'bool', usage: "Don't build an image, even if it's policy" },
    'no-color': { type: 'bool', usage: 'Produce monochrome output' },
    'no-deps': { type: 'bool', usage: "Don't start linked services" },
    'no-log-prefix': { type: 'bool', usage: "Don't print prefix in logs" },
    'no-recreate': { type: 'bool', usage: "If containers already exist, don't recreate them. Incompatible with --force-recreate." },
    'no-start': { type: 'bool', usage: "Don't start the services after creating them" },
    pull: { type: 'string', usage: 'Pull image before running ("always"|"missing"|"never")', default: 'policy' },
    'quiet-pull': { type: 'bool', usage: 'Pull without printing progress information' },
    'remove-orphans': { type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    'renew-anon-volumes': { type: 'bool', short: 'V', usage: 'Recreate anonymous volumes instead of retrieving data from the previous containers' },
    scale: { type: 'stringArray', usage: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.' },
    timeout: { type: 'int', short: 't', usage: 'Use this timeout in seconds for container shutdown when attached or when containers are already running' },
    timestamps: { type: 'bool', usage: 'Show timestamps' },
    wait: { type: 'bool', usage: 'Wait for services to be running|healthy. Implies detached mode.' },
    'wait-timeout': { type: 'int', usage: 'Maximum duration to wait for the project to be running|healthy' },
  },
});

export const create = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Creates containers for a service',
  flags: {
    build: { type: 'bool', usage: 'Build images before starting containers' },
    'force-recreate': { type: 'bool', usage: "Recreate containers even if their configuration and image haven't changed" },
    'no-build': { type: 'bool', usage: "Don't build an image, even if it's policy" },
    'no-recreate': { type: 'bool', usage: "If containers already exist, don't recreate them. Incompatible with --force-recreate." },
    pull: { type: 'string', usage: 'Pull image before running ("always"|"missing"|"never"|"build")', default: 'policy' },
    'quiet-pull': { type: 'bool', usage: 'Pull without printing progress information' },
    'remove-orphans': { type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    scale: { type: 'stringArray', usage: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.' },
  },
});

export const down = compose({
  usage: '[OPTIONS] [SERVICES]',
  description: 'Stop and remove containers, networks',
  flags: {
    'remove-orphans': { type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    rmi: { type: 'string', usage: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
    timeout: { type: 'int', short: 't', usage: 'Specify a shutdown timeout in seconds' },
    volumes: { type: 'bool', short: 'v', usage: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers' },
  },
});

export const ps = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'List containers',
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all stopped containers (including those created by the run command)' },
    filter: { type: 'string', usage: 'Filter services by a property (supported filters: status)' },
    format: { type: 'string', usage: 'Format output using a custom template:\n\'table\':            Print output in table format with column headers (default)\n\'table TEMPLATE\':   Print output in table format using the given Go template\n\'json\':             Print in JSON format\n\'TEMPLATE\':         Print output using the given Go template', default: 'table' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    orphans: { type: 'bool', usage: 'Include orphaned services (not declared by project)', default: true },
    quiet: { type: 'bool', short: 'q', usage: 'Only display IDs' },
    services: { type: 'bool', usage: 'Display services' },
    status: { type: 'stringArray', usage: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]' },
  },
});

export const logs = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'View output from containers',
  flags: {
    follow: { type: 'bool', short: 'f', usage: 'Follow log output' },
    index: { type: 'int', usage: 'index of the container if service has multiple replicas', default: 0 },
    'no-color': { type: 'bool', usage: 'Produce monochrome output' },
    'no-log-prefix': { type: 'bool', usage: "Don't print prefix in logs" },
    since: { type: 'string', usage: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
    tail: { type: 'string', short: 'n', usage: 'Number of lines to show from the end of the logs for each container', default: 'all' },
    timestamps: { type: 'bool', short: 't', usage: 'Show timestamps' },
    until: { type: 'string', usage: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
  },
});

export const build = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Build or rebuild services',
  flags: {
    'build-arg': { type: 'stringArray', usage: 'Set build-time variables for services' },
    'no-cache': { type: 'bool', usage: 'Do not use cache when building the image' },
    pull: { type: 'bool', usage: 'Always attempt to pull a newer version of the image' },
    push: { type: 'bool', usage: 'Push service images' },
    quiet: { type: 'bool', short: 'q', usage: "Don't print anything to STDOUT" },
    'with-dependencies': { type: 'bool', usage: 'Also build dependencies (transitively)' },
  },
});

export const pull = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Pull service images',
  flags: {
    'ignore-buildable': { type: 'bool', usage: 'Ignore images that can be built' },
    'ignore-pull-failures': { type: 'bool', usage: 'Pull what it can and ignores images with pull failures' },
    'include-deps': { type: 'bool', usage: 'Also pull services declared as dependencies' },
    policy: { type: 'string', usage: 'Apply pull policy ("missing"|"always")' },
    quiet: { type: 'bool', short: 'q', usage: 'Pull without printing progress information' },
  },
});

export const push = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Push service images',
  flags: {
    'ignore-push-failures': { type: 'bool', usage: 'Push what it can and ignores images with push failures' },
    'include-deps': { type: 'bool', usage: 'Also push images of services declared as dependencies' },
    quiet: { type: 'bool', short: 'q', usage: 'Push without printing progress information' },
  },
});

export const config = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Parse, resolve and render compose file in canonical format',
  aliases: ['compose config', 'compose convert'],
  flags: {
    environment: { type: 'bool', usage: 'Print environment used for interpolation.' },
    format: { type: 'string', usage: 'Format the output. Values: [yaml | json]', default: 'yaml' },
    hash: { type: 'string', usage: 'Print the service config hash, one per line.' },
    images: { type: 'bool', usage: 'Print the image names, one per line.' },
    'no-consistency': { type: 'bool', usage: "Don't check model consistency - warning: may produce invalid Compose output" },
    'no-interpolate': { type: 'bool', usage: "Don't interpolate environment variables" },
    'no-normalize': { type: 'bool', usage: "Don't normalize compose model" },
    'no-path-resolution': { type: 'bool', usage: "Don't resolve file paths" },
    output: { type: 'string', short: 'o', usage: 'Save to file (default to stdout)' },
    profiles: { type: 'bool', usage: 'Print the profile names, one per line.' },
    quiet: { type: 'bool', short: 'q', usage: "Only validate the configuration, don't print anything" },
    services: { type: 'bool', usage: 'Print the service names, one per line.' },
    variables: { type: 'bool', usage: 'Print model variables and default values.' },
    volumes: { type: 'bool', usage: 'Print the volume names, one per line.' },
  },
});

const serviceArgs = { usage: '[SERVICE...]', flags: {} } as const;

export const start = compose({ ...serviceArgs, description: 'Start services', flags: {} });

export const stop = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Stop services',
  flags: { timeout: { type: 'int', short: 't', usage: 'Specify a shutdown timeout in seconds' } },
});

export const restart = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Restart service containers',
  flags: {
    'no-deps': { type: 'bool', usage: "Don't restart dependent services" },
    timeout: { type: 'int', short: 't', usage: 'Specify a shutdown timeout in seconds' },
  },
});

export const kill = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Force stop service containers',
  flags: {
    'remove-orphans': { type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    signal: { type: 'string', short: 's', usage: 'SIGNAL to send to the container', default: 'SIGKILL' },
  },
});

export const rm = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Removes stopped service containers',
  flags: {
    force: { type: 'bool', short: 'f', usage: "Don't ask to confirm removal" },
    stop: { type: 'bool', short: 's', usage: 'Stop the containers, if required, before removing' },
    volumes: { type: 'bool', short: 'v', usage: 'Remove any anonymous volumes attached to containers' },
    all: { type: 'bool', short: 'a', usage: 'Deprecated - no effect', hidden: true },
  },
});

export const pause = compose({ ...serviceArgs, description: 'Pause services', flags: {} });
export const unpause = compose({ ...serviceArgs, description: 'Unpause services', flags: {} });

export const exec = compose({
  usage: '[OPTIONS] SERVICE COMMAND [ARGS...]',
  description: 'Execute a command in a running container',
  minArgs: 2,
  stopAtFirstArg: true,
  flags: {
    detach: { type: 'bool', short: 'd', usage: 'Detached mode: Run command in the background' },
    env: { type: 'stringArray', short: 'e', usage: 'Set environment variables' },
    index: { type: 'int', usage: 'Index of the container if service has multiple replicas', default: 0 },
    interactive: { type: 'bool', short: 'i', usage: 'Keep STDIN open even if not attached', default: true, hidden: true },
    'no-TTY': { type: 'bool', short: 'T', usage: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.' },
    privileged: { type: 'bool', usage: 'Give extended privileges to the process' },
    tty: { type: 'bool', short: 't', usage: 'Allocate a pseudo-TTY', default: true, hidden: true },
    user: { type: 'string', short: 'u', usage: 'Run the command as this user' },
    workdir: { type: 'string', short: 'w', usage: 'Path to workdir directory for this command' },
  },
});

export const run = compose({
  usage: '[OPTIONS] SERVICE [COMMAND] [ARGS...]',
  description: 'Run a one-off command on a service',
  minArgs: 1,
  stopAtFirstArg: true,
  flags: {
    build: { type: 'bool', usage: 'Build image before starting container' },
    'cap-add': { type: 'stringArray', usage: 'Add Linux capabilities', valueName: 'list' },
    'cap-drop': { type: 'stringArray', usage: 'Drop Linux capabilities', valueName: 'list' },
    detach: { type: 'bool', short: 'd', usage: 'Run container in background and print container ID' },
    entrypoint: { type: 'string', usage: 'Override the entrypoint of the image' },
    env: { type: 'stringArray', short: 'e', usage: 'Set environment variables' },
    interactive: { type: 'bool', short: 'i', usage: 'Keep STDIN open even if not attached', default: true },
    label: { type: 'stringArray', short: 'l', usage: 'Add or override a label' },
    name: { type: 'string', usage: 'Assign a name to the container' },
    'no-TTY': { type: 'bool', short: 'T', usage: 'Disable pseudo-TTY allocation (default: auto-detected)' },
    'no-deps': { type: 'bool', usage: "Don't start linked services" },
    publish: { type: 'stringArray', short: 'p', usage: "Publish a container's port(s) to the host" },
    'quiet-pull': { type: 'bool', usage: 'Pull without printing progress information' },
    'remove-orphans': { type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    rm: { type: 'bool', usage: 'Automatically remove the container when it exits' },
    'service-ports': { type: 'bool', short: 'P', usage: "Run command with all service's ports enabled and mapped to the host" },
    tty: { type: 'bool', short: 't', usage: 'Allocate a pseudo-TTY', default: true, hidden: true },
    'use-aliases': { type: 'bool', usage: "Use the service's network useAliases in the network(s) the container connects to" },
    user: { type: 'string', short: 'u', usage: 'Run as specified username or uid' },
    volume: { type: 'stringArray', short: 'v', usage: 'Bind mount a volume' },
    workdir: { type: 'string', short: 'w', usage: 'Working directory inside the container' },
  },
});

export const top = compose({ usage: '[SERVICES...]', description: 'Display the running processes', flags: {} });

export const port = compose({
  usage: '[OPTIONS] SERVICE PRIVATE_PORT',
  description: 'Print the public port for a port binding',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    index: { type: 'int', usage: 'Index of the container if service has multiple replicas', default: 0 },
    protocol: { type: 'string', usage: 'tcp or udp', default: 'tcp' },
  },
});

export const images = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'List images used by the created containers',
  flags: {
    format: { type: 'string', usage: 'Format the output. Values: [table | json]', default: 'table' },
    quiet: { type: 'bool', short: 'q', usage: 'Only display IDs' },
  },
});

export const events = compose({
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Receive real time events from containers',
  flags: { json: { type: 'bool', usage: 'Output events as a stream of json objects' } },
});

export const cp = compose({
  usage: '[OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n\tberth compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH',
  description: 'Copy files/folders between a service container and the local filesystem',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    all: { type: 'bool', usage: 'Copy to all the containers of the service' },
    archive: { type: 'bool', short: 'a', usage: 'Archive mode (copy all uid/gid information)' },
    'follow-link': { type: 'bool', short: 'L', usage: 'Always follow symbol link in SRC_PATH' },
    index: { type: 'int', usage: 'Index of the container if service has multiple replicas', default: 0 },
  },
});

export const wait = compose({
  usage: 'SERVICE [SERVICE...] [OPTIONS]',
  description: 'Block until containers of all (or specified) services stop.',
  minArgs: 1,
  flags: { 'down-project': { type: 'bool', usage: 'Drops project when the first container stops' } },
});

export const ls = compose({
  usage: '[OPTIONS]',
  description: 'List running compose projects',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all stopped Compose projects' },
    filter: { type: 'stringArray', usage: 'Filter output based on conditions provided', valueName: 'filter' },
    format: { type: 'string', usage: 'Format the output. Values: [table | json]', default: 'table' },
    quiet: { type: 'bool', short: 'q', usage: 'Only display IDs' },
  },
});

export const version = compose({
  usage: '[OPTIONS]',
  description: 'Show the Docker Compose version information',
  maxArgs: 0,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format the output. Values: [pretty | json]. (Default: pretty)' },
    short: { type: 'bool', usage: "Shows only Compose's version number" },
  },
});
