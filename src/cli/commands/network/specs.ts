// The network commands as `--help` and the usage checks know them.
import { defineCommand } from '../../command.ts';
import { validFilter } from '../../flags.ts';

export const create = defineCommand({
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  complete: { args: ['none'], flags: { driver: ['bridge', 'host', 'none'] } },
  minArgs: 1,
  maxArgs: 1,
  flags: {
    attachable: { type: 'bool', usage: 'Enable manual container attachment' },
    'aux-address': { type: 'stringArray', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver', valueName: 'map' },
    'config-from': { type: 'string', usage: 'The network from which to copy the configuration' },
    'config-only': { type: 'bool', usage: 'Create a configuration only network' },
    driver: { type: 'string', short: 'd', usage: 'Driver to manage the Network', default: 'bridge' },
    gateway: { type: 'stringSlice', usage: 'IPv4 or IPv6 Gateway for the master subnet', valueName: 'ipSlice' },
    ingress: { type: 'bool', usage: 'Create swarm routing-mesh network' },
    internal: { type: 'bool', usage: 'Restrict external access to the network' },
    'ip-range': { type: 'stringSlice', usage: 'Allocate container ip from a sub-range', valueName: 'ipNetSlice' },
    'ipam-driver': { type: 'string', usage: 'IP Address Management Driver', default: 'default' },
    'ipam-opt': { type: 'stringArray', usage: 'Set IPAM driver specific options', valueName: 'map' },
    ipv6: { type: 'bool', usage: 'Enable or disable IPv6 address assignment' },
    label: { type: 'stringArray', usage: 'Set metadata on a network', valueName: 'list' },
    opt: { type: 'stringArray', short: 'o', usage: 'Set driver specific options', valueName: 'map' },
    scope: { type: 'string', usage: "Control the network's scope" },
    subnet: { type: 'stringSlice', usage: 'Subnet in CIDR format that represents a network segment', valueName: 'strings' },
  },
});

export const ls = defineCommand({
  usage: '[OPTIONS]',
  description: 'List networks',
  aliases: ['network ls', 'network list'],
  maxArgs: 0,
  flags: {
    filter: { type: 'stringArray', short: 'f', usage: "Provide filter values (e.g. 'driver=bridge')", valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    'no-trunc': { type: 'bool', usage: 'Do not truncate the output' },
    quiet: { type: 'bool', short: 'q', usage: 'Only display network IDs' },
  },
});

export const inspect = defineCommand({
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  complete: { args: ['network'] },
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
    verbose: { type: 'bool', short: 'v', usage: 'Verbose output for diagnostics' },
  },
});

export const rm = defineCommand({
  usage: 'NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  complete: { args: ['network'] },
  aliases: ['network rm', 'network remove'],
  minArgs: 1,
  flags: { force: { type: 'bool', short: 'f', usage: 'Do not error if the network does not exist' } },
});

export const prune = defineCommand({
  usage: '[OPTIONS]',
  description: 'Remove all unused networks',
  maxArgs: 0,
  flags: {
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'until=<timestamp>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
});

export const connect = defineCommand({
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  complete: { args: ['network', 'container'] },
  minArgs: 2,
  maxArgs: 2,
  flags: {
    alias: { type: 'stringSlice', usage: 'Add network-scoped alias for the container', valueName: 'strings' },
    'driver-opt': { type: 'stringSlice', usage: 'driver options for the network', valueName: 'strings' },
    ip: { type: 'string', usage: 'IPv4 address (e.g., "172.30.100.104")' },
    ip6: { type: 'string', usage: 'IPv6 address (e.g., "2001:db8::33")' },
    link: { type: 'stringArray', usage: 'Add link to another container', valueName: 'list' },
    'link-local-ip': { type: 'stringSlice', usage: 'Add a link-local address for the container', valueName: 'strings' },
  },
});

export const disconnect = defineCommand({
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  complete: { args: ['network', 'container'] },
  minArgs: 2,
  maxArgs: 2,
  flags: { force: { type: 'bool', short: 'f', usage: 'Force the container to disconnect from a network' } },
});
