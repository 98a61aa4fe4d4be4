// `berth registry serve | garbage-collect | du` as `--help` and the usage checks know them.
import { defineCommand } from '../../command.ts';

const configFlags = {
  config: { type: 'string', short: 'c', usage: "Configuration file (config.yml with distribution's keys)" },
  root: { type: 'string', usage: 'Storage root directory (storage.filesystem.rootdirectory; default "/var/lib/berth-registry")' },
} as const;

export const serve = defineCommand({
  usage: '[OPTIONS] [CONFIG]',
  description: 'Run a registry (the OCI distribution API, a web UI at /ui/)',
  local: true,
  maxArgs: 1,
  flags: {
    ...configFlags,
    addr: { type: 'string', usage: 'Address to listen on (http.addr; default "127.0.0.1:5000")' },
    'tls-cert': { type: 'string', usage: 'TLS certificate file (http.tls.certificate)' },
    'tls-key': { type: 'string', usage: 'TLS key file (http.tls.key)' },
    'tls-client-ca': { type: 'stringArray', usage: 'Require client certificates signed by this CA (http.tls.clientcas)', valueName: 'list' },
  },
});

export const garbageCollect = defineCommand({
  usage: '[OPTIONS] [CONFIG]',
  description: 'Delete blobs no manifest refers to (safe while the registry serves)',
  local: true,
  maxArgs: 1,
  flags: {
    ...configFlags,
    'dry-run': { type: 'bool', short: 'd', usage: 'Only report what would be deleted' },
    'delete-untagged': { type: 'bool', short: 'm', usage: 'Delete manifests that no tag refers to' },
    grace: { type: 'string', usage: 'Keep blobs and untagged manifests younger than this (pushes in progress)', default: '1h' },
  },
});

export const du = defineCommand({
  usage: '[OPTIONS] [REPOSITORY...]',
  description: 'Show storage usage per repository',
  local: true,
  flags: {
    ...configFlags,
    format: { type: 'string', usage: 'Output format: "table" or "json"', default: 'table' },
  },
});
