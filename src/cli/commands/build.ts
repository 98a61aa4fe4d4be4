// berth build (image build) and berth builder prune: docker's flags, the context packed here with
// .dockerignore applied and streamed to POST /build, the classic output as it comes (or, on a
// terminal, a live view of the steps), docker's exit statuses (a failed RUN's own code).
import { randomBytes } from 'node:crypto';
import { promises as fsp, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { createTarPacker } from '../../archive/index.ts';
import { ApiError, jsonMessages } from '../../client/index.ts';
import { humanSize, parseRamInBytes } from '../../lib/index.ts';
import type { JsonMessage } from '../../types/index.ts';
import { packContext } from '../build-context.ts';
import { TtyProgress } from '../build-progress.ts';
import { StatusError, type CliContext, type Command } from '../command.ts';
import { filterMap, validFilter, type FlagSpec } from '../flags.ts';
import { confirm } from '../util.ts';
import { daemonError } from './container.ts';
import { allRegistryAuths } from './registry.ts';

const buildFlags: Record<string, FlagSpec> = {
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
  'memory-swap': { type: 'string', usage: "Swap limit equal to memory plus swap: -1 to enable unlimited swap", valueName: 'bytes' },
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
};

/** Anything that is not an archive (by its magic) is taken as a Dockerfile: `docker build - < Dockerfile`. */
async function stdinContext(stdin: Readable): Promise<{ tar: Readable } | { dockerfile: Buffer }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = stdin[Symbol.asyncIterator]();
  while (size < 512) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value as Buffer);
    size += (r.value as Buffer).length;
  }
  const head = Buffer.concat(chunks);
  const magic = [[0x1f, 0x8b], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x28, 0xb5, 0x2f, 0xfd]];
  const isTar = head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  const rest = async function* () {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
  };
  if (isTar || magic.some((m) => m.every((b, i) => head[i] === b))) return { tar: Readable.from(rest()) };
  const all: Buffer[] = [];
  for await (const c of rest()) all.push(c);
  return { dockerfile: Buffer.concat(all) };
}

function parseSecret(spec: string): { id: string; value?: Buffer; src?: string } {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new StatusError(1, `invalid secret spec ${JSON.stringify(spec)}: expected key=value fields (id=…,src=… or env=…)`);
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!['id', 'src', 'source', 'env', 'type'].includes(key)) throw new StatusError(1, `unexpected key '${key}' in '${part}'`);
    fields.set(key === 'source' ? 'src' : key, part.slice(eq + 1));
  }
  const type = fields.get('type') ?? (fields.has('env') && !fields.has('src') ? 'env' : 'file');
  const id = fields.get('id') ?? (fields.get('src') ? fields.get('src')!.split('/').pop()! : fields.get('env'));
  if (!id) throw new StatusError(1, `invalid secret spec ${JSON.stringify(spec)}: no id`);
  if (type === 'env') {
    const name = fields.get('env') ?? fields.get('src') ?? id;
    const v = process.env[name];
    if (v === undefined) throw new StatusError(1, `secret ${id}: environment variable ${name} is not set`);
    return { id, value: Buffer.from(v) };
  }
  const src = fields.get('src');
  if (!src) throw new StatusError(1, `invalid secret spec ${JSON.stringify(spec)}: src is required for a file secret`);
  return { id, src };
}

function keyValues(list: string[] | undefined, what: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf('=');
    // `--build-arg NAME`: the value comes from the environment, or stays unset (docker's rule)
    if (eq < 0) out[kv] = what === 'build-arg' ? (process.env[kv] ?? null) : '';
    else out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

async function runBuild(ctx: CliContext, args: string[], flags: Record<string, unknown>): Promise<number> {
  const target = args[0];
  const quiet = !!flags.quiet;
  const progressMode = flags.progress as string;
  if (!['auto', 'plain', 'tty'].includes(progressMode)) throw new StatusError(1, `invalid progress type ${JSON.stringify(progressMode)}: use auto, plain or tty`);
  const tty = !quiet && (progressMode === 'tty' || (progressMode === 'auto' && !!(ctx.stdout as { isTTY?: boolean }).isTTY));
  const fileFlag = flags.file as string | undefined;
  const query: Record<string, string | number | boolean | string[] | undefined> = {
    t: (flags.tag as string[] | undefined) ?? [],
    q: quiet || undefined,
    nocache: (flags['no-cache'] as boolean) || undefined,
    pull: (flags.pull as boolean) || undefined,
    rm: flags.rm as boolean,
    forcerm: (flags['force-rm'] as boolean) || undefined,
    target: (flags.target as string) || undefined,
    networkmode: (flags.network as string) || undefined,
    extrahosts: (flags['add-host'] as string[] | undefined) ?? [],
    cachefrom: (flags['cache-from'] as string[] | undefined)?.length ? JSON.stringify(flags['cache-from']) : undefined,
    buildargs: JSON.stringify(keyValues(flags['build-arg'] as string[] | undefined, 'build-arg')),
    labels: JSON.stringify(keyValues(flags.label as string[] | undefined, 'label')),
    platform: (flags.platform as string) || undefined,
    cpushares: (flags['cpu-shares'] as number) || undefined,
    cpuperiod: (flags['cpu-period'] as number) || undefined,
    cpuquota: (flags['cpu-quota'] as number) || undefined,
    cpusetcpus: (flags['cpuset-cpus'] as string) || undefined,
    cpusetmems: (flags['cpuset-mems'] as string) || undefined,
    cgroupparent: (flags['cgroup-parent'] as string) || undefined,
  };
  try {
    for (const [flag, param] of [['memory', 'memory'], ['memory-swap', 'memswap'], ['shm-size', 'shmsize']] as const) {
      const v = flags[flag] as string | undefined;
      if (v) query[param] = v === '-1' ? -1 : parseRamInBytes(v);
    }
  } catch (err) {
    throw new StatusError(125, `invalid argument for memory or shm size: ${(err as Error).message}`);
  }

  // Secrets travel in a header of Berth's own: the classic protocol has no session to carry them.
  const secrets: Record<string, string> = {};
  for (const spec of (flags.secret as string[] | undefined) ?? []) {
    const s = parseSecret(spec);
    let value = s.value ?? Buffer.alloc(0);
    if (s.src) {
      try {
        value = await fsp.readFile(s.src);
      } catch (err) {
        throw new StatusError(1, `failed to read secret ${s.id} from ${s.src}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
      }
    }
    secrets[s.id] = value.toString('base64');
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/x-tar' };
  const auths = allRegistryAuths(ctx);
  if (Object.keys(auths).length > 0) headers['X-Registry-Config'] = Buffer.from(JSON.stringify(auths)).toString('base64');
  if (Object.keys(secrets).length > 0) {
    const value = Buffer.from(JSON.stringify(secrets)).toString('base64');
    if (value.length > 12_000) throw new StatusError(1, 'secrets too large: berth build sends secrets in a request header, up to 8 KiB in all');
    headers['X-Berth-Build-Secrets'] = value;
  }

  let body: Readable;
  let dockerfileFromStdin: Buffer | undefined;
  if (fileFlag === '-') {
    if (target === '-') throw new StatusError(1, 'invalid argument: can\'t use stdin for both build context and dockerfile');
    dockerfileFromStdin = await readAll(ctx.stdin);
  }
  if (target === '-') {
    const input = await stdinContext(ctx.stdin);
    if ('tar' in input) {
      body = input.tar;
      if (fileFlag) query.dockerfile = fileFlag;
    } else {
      body = await packFiles([{ name: 'Dockerfile', data: input.dockerfile }]);
    }
  } else if (isUrl(target)) {
    query.remote = target;
    if (fileFlag) query.dockerfile = fileFlag;
    body = Readable.from([]);
  } else {
    const dir = resolve(target);
    const st = await fsp.stat(dir).catch(() => undefined);
    if (!st) throw new StatusError(1, `unable to prepare context: path ${JSON.stringify(target)} not found`);
    if (!st.isDirectory()) throw new StatusError(1, `unable to prepare context: context must be a directory: ${dir}`);
    let dockerfileRel: string;
    const extra: Array<{ name: string; data: Buffer }> = [];
    if (dockerfileFromStdin) {
      dockerfileRel = `.dockerfile.${randomBytes(10).toString('hex')}`;
      extra.push({ name: dockerfileRel, data: dockerfileFromStdin });
    } else {
      // -f is relative to the working directory, as docker reads it; outside the context it is added to it
      const abs = fileFlag ? resolve(fileFlag) : join(dir, 'Dockerfile');
      const rel = relative(dir, abs);
      if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
        const data = await fsp.readFile(abs).catch(() => {
          throw new StatusError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
        });
        dockerfileRel = `.dockerfile.${randomBytes(10).toString('hex')}`;
        extra.push({ name: dockerfileRel, data });
      } else {
        dockerfileRel = rel.split(sep).join('/');
        const dst = await fsp.stat(abs).catch(() => undefined);
        if (!dst && !fileFlag) {
          const lower = await fsp.stat(join(dir, 'dockerfile')).catch(() => undefined);
          if (lower) dockerfileRel = 'dockerfile';
          else throw new StatusError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
        } else if (!dst) throw new StatusError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
      }
    }
    query.dockerfile = dockerfileRel;
    body = await packContext(dir, { dockerfile: dockerfileRel, dockerfileFromStdin: !!dockerfileFromStdin, extra });
  }

  const progress = tty ? new TtyProgress(ctx.stdout as never) : undefined;
  // "Sending build context to Docker daemon": updated in place on a terminal, once otherwise
  let sent = 0;
  let sentShown = false;
  const counting = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      progress?.context(sent, false);
      cb(null, chunk);
    },
  });
  const contextLine = () => `Sending build context to Docker daemon  ${humanSize(sent, 4)}`;
  const sendingTimer = !tty && !quiet && (ctx.stdout as { isTTY?: boolean }).isTTY ? setInterval(() => ctx.stdout.write(`\r${contextLine()}`), 100) : undefined;
  const showSent = () => {
    if (sentShown || isUrl(target)) return;
    sentShown = true;
    if (sendingTimer) clearInterval(sendingTimer);
    progress?.context(sent, true);
    if (!tty && !quiet) ctx.stdout.write(`${sendingTimer ? '\r' : ''}${contextLine()}\n`);
  };
  counting.on('finish', showSent);
  body.on('error', (err) => counting.destroy(err));
  body.pipe(counting);

  let imageId = '';
  let failure: JsonMessage['errorDetail'] | undefined;
  try {
    const res = await ctx.client().stream('POST', '/build', { query, stream: counting, headers });
    showSent();
    for await (const m of jsonMessages(res)) {
      if (m.errorDetail || m.error) {
        failure = m.errorDetail ?? { message: m.error! };
        break;
      }
      if (m.aux && typeof m.aux === 'object' && 'ID' in m.aux) imageId = String((m.aux as { ID: unknown }).ID);
      if (quiet) {
        if (m.stream && /^sha256:[0-9a-f]{64}\n?$/.test(m.stream)) imageId = m.stream.trim();
        continue;
      }
      if (progress) progress.message(m);
      else if (m.stream !== undefined) ctx.stdout.write(m.stream);
      else if (m.status !== undefined) ctx.stdout.write(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`);
    }
  } catch (err) {
    if (sendingTimer) clearInterval(sendingTimer);
    if (progress) {
      progress.fail();
      progress.end();
    }
    throw new StatusError(1, err instanceof ApiError ? daemonError(err) : (err as Error).message);
  }
  if (sendingTimer) clearInterval(sendingTimer);
  if (progress) {
    if (failure) progress.fail();
    progress.end();
  }
  if (failure) {
    ctx.stderr.write(`${failure.message}\n`);
    return failure.code && failure.code > 0 ? failure.code : 1;
  }
  if (quiet && imageId) ctx.stdout.write(`${imageId}\n`);
  const iidfile = flags.iidfile as string | undefined;
  if (iidfile) {
    if (!imageId) throw new StatusError(1, 'Server did not provide an image ID. Cannot write iidfile');
    // as the docker CLI: with -q the file gets the line the daemon sent, newline included
    writeFileSync(iidfile, quiet ? `${imageId}\n` : imageId, { mode: 0o666 });
  }
  return 0;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function packFiles(files: Array<{ name: string; data: Buffer }>): Promise<Readable> {
  const pack = createTarPacker();
  (async () => {
    for (const f of files) await pack.entry({ name: f.name, type: 'file', mode: 0o600, uid: 0, gid: 0, size: f.data.length, mtime: new Date() }, [f.data]);
    await pack.finish();
  })().catch((err: Error) => pack.abort(err));
  return pack.stream;
}

export const buildCommand: Command = {
  name: 'build',
  usage: '[OPTIONS] PATH | URL | -',
  description: 'Build an image from a Dockerfile',
  aliases: ['image build', 'builder build'],
  minArgs: 1,
  maxArgs: 1,
  flags: buildFlags,
  run: runBuild,
};

export const builderPruneCommand: Command = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove build cache',
  aliases: ['builder prune'],
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused build cache, not just dangling ones' },
    filter: { type: 'stringArray', usage: 'Provide filter values (e.g. "until=24h")', valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
    'keep-storage': { type: 'string', usage: 'Amount of disk space to keep for cache', valueName: 'bytes' },
  },
  async run(ctx, _args, flags) {
    const all = !!flags.all;
    if (!flags.force) {
      const warning = all ? 'WARNING! This will remove all build cache. Are you sure you want to continue?' : 'WARNING! This will remove all dangling build cache. Are you sure you want to continue?';
      if (!(await confirm(ctx, warning))) return 0;
    }
    const keep = flags['keep-storage'] as string | undefined;
    let report: { CachesDeleted: string[] | null; SpaceReclaimed: number };
    try {
      report = await ctx.client().post<typeof report>('/build/prune', {
        query: { all: all || undefined, filters: JSON.stringify(filterMap(flags.filter as string[] | undefined)), 'keep-storage': keep ? parseRamInBytes(keep) : undefined },
      });
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
    if (report.CachesDeleted?.length) ctx.stdout.write(`Deleted build cache objects:\n${report.CachesDeleted.map((id) => `${id}\n`).join('')}\n`);
    else ctx.stdout.write('\n');
    ctx.stdout.write(`Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`);
    return 0;
  },
};

export const buildCommands: Command[] = [buildCommand];
export const builderSubcommands: Command[] = [{ ...buildCommand }, builderPruneCommand];
export const buildImageSubcommands: Command[] = [{ ...buildCommand }];
