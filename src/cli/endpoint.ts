// Which daemon a command talks to, decided as the docker CLI decides it:
//   --context NAME                      that context (and -H with it is an error)
//   -H/--host, else BERTH_HOST           the default context, at that address
//   BERTH_CONTEXT                        that context
//   "currentContext" of config.json      that context (`berth context use`)
//   otherwise                            the default context: unix:///run/berth/berth.sock
// The default context takes its TLS settings from the flags and the environment (--tls,
// --tlsverify or BERTH_TLS_VERIFY, --tlscacert/--tlscert/--tlskey, else ca.pem, cert.pem and
// key.pem in BERTH_CERT_PATH or the config directory when they exist); a stored context from its
// own TLS material.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsOptions } from '../client/index.ts';
import { readConfigFile } from './config-file.ts';
import { ContextNotFound, ContextStore, defaultContextName } from './context-store.ts';
import { StatusError } from './errors.ts';

export const defaultHost = 'unix:///run/berth/berth.sock';

/** The global flags that choose and reach the daemon. */
export interface ConnectionFlags {
  context?: string;
  host?: readonly string[];
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

export interface Endpoint {
  /** The context's name ("default" for the flags' and environment's settings). */
  context: string;
  /** unix:///path or tcp://host:port */
  host: string;
  tls?: TlsOptions;
}

export interface EndpointSources {
  flags: ConnectionFlags;
  env: NodeJS.ProcessEnv;
  configDir: string;
  /** NODE_EXTRA_CA_CERTS when this process started without loading it (extra-ca.ts). */
  extraCaFile?: string | undefined;
}

/** The name of the context in use, by docker's precedence (no files are read for -H or BERTH_HOST). */
export function currentContextName(o: Pick<EndpointSources, 'flags' | 'env' | 'configDir'>): string {
  if (o.flags.context) return o.flags.context;
  if (o.flags.host?.length || o.env.BERTH_HOST) return defaultContextName;
  if (o.env.BERTH_CONTEXT) return o.env.BERTH_CONTEXT;
  return readConfigFile(o.configDir).currentContext || defaultContextName;
}

/** Where the daemon is and how to reach it; a StatusError in docker's words when that cannot be known. */
export function resolveEndpoint(o: EndpointSources): Endpoint {
  if (o.flags.context && o.flags.host?.length) throw new StatusError(1, 'conflicting options: cannot specify both --host and --context');
  const name = currentContextName(o);
  if (name === defaultContextName) return defaultEndpoint(o);
  const store = new ContextStore(o.configDir);
  let docker;
  try {
    docker = store.read(name).Endpoints.docker;
  } catch (err) {
    if (err instanceof ContextNotFound) throw new StatusError(1, `Failed to initialize: unable to resolve docker endpoint: ${err.message}`);
    throw err;
  }
  if (!docker?.Host) throw new StatusError(1, `Failed to initialize: unable to resolve docker endpoint: context "${name}" has no docker endpoint`);
  const files = store.tlsFiles(name);
  const host = normalizeHost(docker.Host);
  if (!host.startsWith('tcp://') || (files.length === 0 && !docker.SkipTLSVerify)) return { context: name, host };
  const path = (f: 'ca.pem' | 'cert.pem' | 'key.pem') => (files.includes(f) ? { [f.slice(0, -4)]: store.tlsPath(name, f) } : {});
  return {
    context: name,
    host,
    tls: { ...path('ca.pem'), ...path('cert.pem'), ...path('key.pem'), verify: !docker.SkipTLSVerify, ...extraCa(o) },
  };
}

/** The default context's endpoint: -H, BERTH_HOST or the default socket, TLS from flags and environment. */
export function defaultEndpoint(o: EndpointSources): Endpoint {
  const hosts = o.flags.host ?? [];
  if (hosts.length > 1) throw new StatusError(1, 'Specify only one -H');
  const host = normalizeHost(hosts[0] ?? o.env.BERTH_HOST ?? defaultHost);
  const verify = !!o.flags.tlsverify || !!o.env.BERTH_TLS_VERIFY;
  if (!o.flags.tls && !verify) return { context: defaultContextName, host };
  const certDir = o.env.BERTH_CERT_PATH || o.configDir;
  // A file named by its flag must be there; the default files are used when they exist.
  const file = (flag: string | undefined, name: string) => {
    if (flag) return flag;
    const p = join(certDir, name);
    return existsSync(p) ? p : undefined;
  };
  const ca = file(o.flags.tlscacert, 'ca.pem');
  const cert = file(o.flags.tlscert, 'cert.pem');
  const key = file(o.flags.tlskey, 'key.pem');
  return {
    context: defaultContextName,
    host,
    tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), verify, ...extraCa(o) },
  };
}

function extraCa(o: EndpointSources): { extraCaFile?: string } {
  return o.extraCaFile ? { extraCaFile: o.extraCaFile } : {};
}

/** "host:port" means tcp://host:port, as for docker's -H. */
export function normalizeHost(host: string): string {
  return host.includes('://') ? host : `tcp://${host}`;
}
