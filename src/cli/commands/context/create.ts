// context create and context update: a context's metadata and its docker endpoint, from --docker
// (host=…,ca=…,cert=…,key=…,skip-tls-verify=…,from=…), from another context (--from), or from
// the context in use; with docker's checks and messages.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parseBool } from '../../../lib/index.ts';
import type { CliContext, CommandRun, DaemonSelection } from '../../command.ts';
import { ContextNotFound, ContextStore, contextNamePattern, defaultContextName, type ContextMeta, type DockerEndpointMeta, type TlsFile } from '../../context-store.ts';
import { StatusError } from '../../errors.ts';
import type * as spec from './specs.ts';

/** An endpoint with the TLS material that goes with it. */
interface EndpointData {
  endpoint: DockerEndpointMeta;
  tls: Partial<Record<TlsFile, Buffer>>;
}

export function daemonSelection(ctx: CliContext): DaemonSelection {
  if (!ctx.daemon) throw new StatusError(1, 'no daemon selection in this context');
  return ctx.daemon;
}

export function checkNewName(store: ContextStore, name: string): void {
  if (name === defaultContextName) throw new StatusError(1, `"${defaultContextName}" is a reserved context name`);
  if (!contextNamePattern.test(name)) throw new StatusError(1, `context name "${name}" is invalid, names are validated against regexp "${contextNamePattern.source}"`);
  if (store.exists(name)) throw new StatusError(1, `context "${name}" already exists`);
}

/** A stored context, or a StatusError with docker's message. */
export function readContext(store: ContextStore, name: string): ContextMeta {
  try {
    return store.read(name);
  } catch (err) {
    if (err instanceof ContextNotFound) throw new StatusError(1, err.message);
    throw err;
  }
}

/** The metadata and endpoint of an existing context, "default" included (the flags' and environment's). */
function existingContext(ctx: CliContext, store: ContextStore, name: string): { metadata: ContextMeta['Metadata'] } & EndpointData {
  if (name === defaultContextName) {
    const ep = daemonSelection(ctx).defaultEndpoint();
    const tls: EndpointData['tls'] = {};
    if (ep.tls?.ca) tls['ca.pem'] = readFileSync(ep.tls.ca);
    if (ep.tls?.cert) tls['cert.pem'] = readFileSync(ep.tls.cert);
    if (ep.tls?.key) tls['key.pem'] = readFileSync(ep.tls.key);
    return { metadata: { Description: 'Current DOCKER_HOST based configuration' }, endpoint: { Host: ep.host, SkipTLSVerify: !!ep.tls && !ep.tls.verify }, tls };
  }
  const meta = readContext(store, name);
  const endpoint = meta.Endpoints.docker;
  if (!endpoint) throw new StatusError(1, `context "${name}" has no docker endpoint`);
  const tls: EndpointData['tls'] = {};
  for (const f of store.tlsFiles(name)) tls[f] = readFileSync(store.tlsPath(name, f));
  return { metadata: meta.Metadata, endpoint: { Host: endpoint.Host, SkipTLSVerify: !!endpoint.SkipTLSVerify }, tls };
}

/** The key=value pairs of the --docker flags, later values winning (pflag's stringToString). */
function dockerOptions(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    for (const item of v.split(',')) {
      const eq = item.indexOf('=');
      out.set(item.slice(0, eq), item.slice(eq + 1));
    }
  }
  return out;
}

const expandHome = (p: string) => (p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p);

function parseHost(host: string): string {
  const m = /^([a-z]+):\/\/(.*)$/.exec(host);
  if (!m || !m[2]) throw new Error(`unable to apply docker endpoint options: unable to parse docker host \`${host}\``);
  if (m[1] !== 'unix' && m[1] !== 'tcp') throw new Error(`unable to apply docker endpoint options: unsupported protocol ${m[1]}:// in \`${host}\`: berth speaks to unix:// and tcp:// hosts`);
  return host;
}

/** The endpoint --docker describes, on top of what `from=` copies. */
function endpointFromFlag(ctx: CliContext, store: ContextStore, values: readonly string[]): EndpointData {
  const options = dockerOptions(values);
  const fail = (message: string) => new StatusError(1, `unable to create docker endpoint config: ${message}`);
  for (const key of options.keys()) if (!['from', 'host', 'ca', 'cert', 'key', 'skip-tls-verify'].includes(key)) throw fail(`unrecognized config key: ${key}`);
  const base: EndpointData = options.has('from') ? existingContext(ctx, store, options.get('from')!) : { endpoint: { Host: '', SkipTLSVerify: false }, tls: {} };
  const result: EndpointData = { endpoint: { ...base.endpoint }, tls: { ...base.tls } };
  try {
    if (options.has('host')) result.endpoint.Host = parseHost(options.get('host')!);
    const files: Array<[string, TlsFile]> = [
      ['ca', 'ca.pem'],
      ['cert', 'cert.pem'],
      ['key', 'key.pem'],
    ];
    for (const [key, file] of files) {
      const path = options.get(key);
      if (path) result.tls[file] = readFileSync(expandHome(path));
    }
    if (options.has('skip-tls-verify')) {
      const raw = options.get('skip-tls-verify')!;
      try {
        result.endpoint.SkipTLSVerify = parseBool(raw);
      } catch {
        throw new Error(`skip-tls-verify: parsing "${raw}": invalid syntax`);
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw fail(e.code === 'ENOENT' && e.path ? `open ${e.path}: no such file or directory` : e.message);
  }
  if (!result.endpoint.Host) result.endpoint.Host = daemonSelection(ctx).defaultEndpoint().host;
  if (!!result.tls['cert.pem'] !== !!result.tls['key.pem']) throw fail('a TLS certificate needs its key, and a key its certificate (cert= and key=)');
  return result;
}

export const createContext: CommandRun<typeof spec.create.flags> = async (ctx, [name], flags) => {
  const store = new ContextStore(ctx.configDir);
  checkNewName(store, name!);
  const docker = flags.docker ?? [];
  if (flags.from && docker.length) throw new StatusError(1, 'cannot use --docker flag when --from is set');
  let metadata: ContextMeta['Metadata'] = {};
  let data: EndpointData;
  if (docker.length) data = endpointFromFlag(ctx, store, docker);
  else {
    // --from, else the context in use: its description comes along unless one is given
    const from = existingContext(ctx, store, flags.from || daemonSelection(ctx).contextName());
    metadata = { ...from.metadata };
    data = from;
  }
  if (flags.description !== undefined) metadata = { ...metadata, Description: flags.description };
  await store.write({ Name: name!, Metadata: metadata, Endpoints: { docker: data.endpoint } }, data.tls);
  ctx.stdout.write(`${name}\n`);
  ctx.stderr.write(`Successfully created context "${name}"\n`);
};

export const updateContext: CommandRun<typeof spec.update.flags> = async (ctx, [name], flags) => {
  const store = new ContextStore(ctx.configDir);
  if (name === defaultContextName) throw new StatusError(1, `context "${defaultContextName}" cannot be updated`);
  const meta = readContext(store, name!);
  const docker = flags.docker ?? [];
  let tls: EndpointData['tls'] | undefined;
  if (docker.length) {
    const data = endpointFromFlag(ctx, store, docker);
    meta.Endpoints.docker = data.endpoint;
    tls = data.tls;
  }
  if (flags.description !== undefined) meta.Metadata = { ...meta.Metadata, Description: flags.description };
  if (tls === undefined) {
    tls = {};
    for (const f of store.tlsFiles(name!)) tls[f] = readFileSync(store.tlsPath(name!, f));
  }
  await store.write(meta, tls);
  ctx.stdout.write(`${name}\n`);
  ctx.stderr.write(`Successfully updated context "${name}"\n`);
};
