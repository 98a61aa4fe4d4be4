// Registry commands: login, logout, push, search; and the credentials store they share with pull
// and run — ~/.berth/config.json kept as docker keeps ~/.docker/config.json ("auths" with base64
// "user:password", mode 0600).
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiError } from '../../client/index.ts';
import { StatusError, type CliContext, type Command } from '../command.ts';
import { printRows, makeRow } from '../format.ts';
import { showProgress } from '../streams.ts';
import { validFilter } from '../flags.ts';

function daemonError(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export const dockerHubServer = 'https://index.docker.io/v1/';

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [key: string]: unknown;
}

function configPath(ctx: CliContext): string {
  return join(ctx.configDir, 'config.json');
}

function readConfig(ctx: CliContext): ConfigFile {
  try {
    return JSON.parse(readFileSync(configPath(ctx), 'utf8')) as ConfigFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StatusError(1, `loading config file ${configPath(ctx)}: ${(err as Error).message}`);
  }
}

function writeConfig(ctx: CliContext, config: ConfigFile): void {
  mkdirSync(ctx.configDir, { recursive: true, mode: 0o700 });
  const path = configPath(ctx);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The registry part of an image name, as docker's CLI keys credentials ("docker.io" → the Hub's URL). */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return dockerHubServer;
  const first = image.slice(0, slash);
  if (first === 'localhost' || /[.:]/.test(first)) return first === 'docker.io' || first === 'index.docker.io' ? dockerHubServer : first;
  return dockerHubServer;
}

function serverKey(server: string | undefined): string {
  if (!server) return dockerHubServer;
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return dockerHubServer;
  return host;
}

/** X-Registry-Auth for a server from the stored credentials ("{}" when there are none, as docker sends). */
export function registryAuthFor(ctx: CliContext, server: string): string {
  const key = serverKey(server);
  const auths = readConfig(ctx).auths ?? {};
  const entry = auths[key] ?? auths[`https://${key}`] ?? auths[`http://${key}`];
  let value: Record<string, string> = {};
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    value = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: key };
  } else if (entry?.identitytoken) value = { identitytoken: entry.identitytoken, serveraddress: key };
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function readLine(ctx: CliContext, prompt: string): Promise<string> {
  ctx.stdout.write(prompt);
  const rl = createInterface({ input: ctx.stdin });
  try {
    for await (const line of rl) return line.trim();
    return '';
  } finally {
    rl.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

const loginCommand: Command = {
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  description: 'Authenticate to a registry',
  maxArgs: 1,
  usageErrorStatus: 1,
  flags: {
    password: { type: 'string', short: 'p', usage: 'Password or Personal Access Token (PAT)' },
    'password-stdin': { type: 'bool', usage: 'Take the Password or Personal Access Token (PAT) from stdin' },
    username: { type: 'string', short: 'u', usage: 'Username' },
  },
  async run(ctx, args, flags) {
    const server = args[0];
    let username = flags.username as string | undefined;
    let password = flags.password as string | undefined;
    if (flags['password-stdin']) {
      if (password !== undefined) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
      if (!username) throw new StatusError(1, 'Must provide --username with --password-stdin');
      password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
    } else if (password !== undefined) {
      ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!username) {
      username = await readLine(ctx, 'Username: ');
      if (!username) throw new StatusError(1, 'Error: Non-null Username Required');
    }
    if (password === undefined) {
      password = await readLine(ctx, 'Password: ');
      ctx.stdout.write('\n');
    }
    if (!password) throw new StatusError(1, 'Error: Password Required');
    const key = serverKey(server);
    let result: { Status?: string; IdentityToken?: string };
    try {
      result = await ctx.client().post('/auth', { body: { username, password, serveraddress: key } });
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
    const config = readConfig(ctx);
    config.auths ??= {};
    config.auths[key] = result.IdentityToken
      ? { auth: '', identitytoken: result.IdentityToken }
      : { auth: Buffer.from(`${username}:${password}`).toString('base64') };
    writeConfig(ctx, config);
    ctx.stderr.write(
      `WARNING! Your credentials are stored unencrypted in '${configPath(ctx)}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
    );
    ctx.stdout.write(`${result.Status || 'Login Succeeded'}\n`);
  },
};

const logoutCommand: Command = {
  name: 'logout',
  usage: '[SERVER]',
  description: 'Log out from a registry',
  maxArgs: 1,
  usageErrorStatus: 1,
  flags: {},
  async run(ctx, args) {
    const key = serverKey(args[0]);
    const config = readConfig(ctx);
    const names = [key, `https://${key}`, `http://${key}`].filter((k) => config.auths?.[k]);
    if (names.length === 0) {
      ctx.stdout.write(`Not logged in to ${key}\n`);
      return;
    }
    ctx.stdout.write(`Removing login credentials for ${key}\n`);
    for (const n of names) delete config.auths![n];
    writeConfig(ctx, config);
  },
};

const pushCommand: Command = {
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  aliases: ['image push'],
  minArgs: 1,
  maxArgs: 1,
  usageErrorStatus: 1,
  flags: {
    'all-tags': { type: 'bool', short: 'a', usage: 'Push all tags of an image to the repository' },
    platform: { type: 'string', usage: 'Push a platform-specific manifest as a single-platform image' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress verbose output' },
  },
  async run(ctx, args, flags) {
    let name = args[0];
    let tag: string | undefined;
    const lastSlash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    if (name.includes('@')) throw new StatusError(1, 'invalid reference format: cannot push a digest reference');
    if (colon > lastSlash) {
      tag = name.slice(colon + 1);
      name = name.slice(0, colon);
    }
    if (flags['all-tags'] && tag) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
    if (!flags['all-tags'] && !tag) {
      tag = 'latest';
      ctx.stdout.write('Using default tag: latest\n');
    }
    try {
      const res = await ctx.client().stream('POST', `/images/${name.split('/').map(encodeURIComponent).join('/')}/push`, {
        query: { tag },
        headers: { 'X-Registry-Auth': registryAuthFor(ctx, registryOf(name)) },
      });
      await showProgress(ctx, res, { quiet: !!flags.quiet });
      if (flags.quiet) ctx.stdout.write(`${args[0]}\n`);
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
  },
};

interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
}

const searchCommand: Command = {
  name: 'search',
  usage: '[OPTIONS] TERM',
  description: 'Search Docker Hub for images',
  minArgs: 1,
  maxArgs: 1,
  usageErrorStatus: 1,
  flags: {
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Pretty-print search using a Go template' },
    limit: { type: 'string', usage: 'Max number of search results', valueName: 'int' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
  },
  async run(ctx, args, flags) {
    const limit = flags.limit === undefined ? undefined : Number(flags.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) throw new StatusError(1, 'Error response from daemon: limit 0 is outside the range of [1, 100]');
    let results: SearchResult[];
    try {
      results = await ctx.client().get<SearchResult[]>('/images/search', { term: args[0], ...(limit ? { limit } : {}) });
    } catch (err) {
      throw new StatusError(1, err instanceof ApiError ? daemonError(err) : String(err));
    }
    let stars = 0;
    let official: boolean | undefined;
    for (const f of (flags.filter as string[] | undefined) ?? []) {
      const [k, v] = f.split('=');
      if (k === 'stars') stars = Number(v);
      else if (k === 'is-official') official = v === 'true';
      else throw new StatusError(1, `Error response from daemon: invalid filter '${k}'`);
    }
    const trunc = !flags['no-trunc'];
    const rows = results
      .filter((r) => r.star_count >= stars && (official === undefined || r.is_official === official))
      .map((r) =>
        makeRow('SearchContext', {
          Name: r.name,
          Description: trunc && r.description.length > 45 ? `${r.description.slice(0, 44)}…` : r.description,
          StarCount: String(r.star_count),
          IsOfficial: r.is_official ? '[OK]' : '',
        }),
      );
    printRows(ctx, rows, {
      format: flags.format as string | undefined,
      defaultTable: 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}',
      headers: { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL' },
    });
  },
};

export const registryCommands: Command[] = [loginCommand, logoutCommand, pushCommand, searchCommand];
export const registryImageSubcommands: Command[] = [{ ...pushCommand }];

/** Every stored credential as X-Registry-Config carries them: server → auth config. */
export function allRegistryAuths(ctx: CliContext): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [server, entry] of Object.entries(readConfig(ctx).auths ?? {})) {
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      out[server] = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: server };
    } else if (entry.identitytoken) out[server] = { identitytoken: entry.identitytoken, serveraddress: server };
  }
  return out;
}
