// build (image build, builder build): the context packed here with .dockerignore applied and
// streamed to POST /build, the classic output as it comes (or, on a terminal, a live view of the
// steps), docker's exit statuses (a failed RUN's own code).
import { randomBytes } from 'node:crypto';
import { promises as fsp, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { createTarPacker } from '../../../archive/index.ts';
import { jsonMessages, type BuildOptions } from '../../../client/index.ts';
import { humanSize, parseRamInBytes } from '../../../lib/index.ts';
import type { JsonMessage } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { allRegistryAuths } from '../registry/credentials.ts';
import { packContext } from '../../build-context.ts';
import { TtyProgress } from './progress.ts';
import type { build } from './specs.ts';

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

export const buildImage: CommandRun<typeof build.flags> = async (ctx, args, flags) => {
  const target = args[0]!;
  const quiet = !!flags.quiet;
  const progressMode = flags.progress;
  if (!['auto', 'plain', 'tty'].includes(progressMode)) throw new StatusError(1, `invalid progress type ${JSON.stringify(progressMode)}: use auto, plain or tty`);
  const tty = !quiet && (progressMode === 'tty' || (progressMode === 'auto' && !!ctx.stdout.isTTY));
  const fileFlag = flags.file;
  const options: BuildOptions = {
    tags: flags.tag ?? [],
    quiet,
    noCache: !!flags['no-cache'],
    pull: !!flags.pull,
    rm: flags.rm,
    forceRm: !!flags['force-rm'],
    target: flags.target,
    networkMode: flags.network,
    extraHosts: flags['add-host'] ?? [],
    cacheFrom: flags['cache-from'] ?? [],
    buildArgs: keyValues(flags['build-arg'], 'build-arg'),
    labels: keyValues(flags.label, 'label'),
    platform: flags.platform,
    cpuShares: flags['cpu-shares'],
    cpuPeriod: flags['cpu-period'],
    cpuQuota: flags['cpu-quota'],
    cpusetCpus: flags['cpuset-cpus'],
    cpusetMems: flags['cpuset-mems'],
    cgroupParent: flags['cgroup-parent'],
    registryConfig: allRegistryAuths(ctx),
  };
  try {
    for (const [flag, option] of [['memory', 'memory'], ['memory-swap', 'memorySwap'], ['shm-size', 'shmSize']] as const) {
      const v = flags[flag];
      if (v) options[option] = v === '-1' ? -1 : parseRamInBytes(v);
    }
  } catch (err) {
    throw new StatusError(125, `invalid argument for memory or shm size: ${(err as Error).message}`);
  }

  // Secrets travel in a header of Berth's own: the classic protocol has no session to carry them.
  const secrets: Record<string, string> = {};
  for (const spec of flags.secret ?? []) {
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
  if (Object.keys(secrets).length > 0) {
    const value = Buffer.from(JSON.stringify(secrets)).toString('base64');
    if (value.length > 12_000) throw new StatusError(1, 'secrets too large: berth build sends secrets in a request header, up to 8 KiB in all');
    options.headers = { 'X-Berth-Build-Secrets': value };
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
      if (fileFlag) options.dockerfile = fileFlag;
    } else {
      body = await packFiles([{ name: 'Dockerfile', data: input.dockerfile }]);
    }
  } else if (isUrl(target)) {
    options.remote = target;
    if (fileFlag) options.dockerfile = fileFlag;
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
    options.dockerfile = dockerfileRel;
    body = await packContext(dir, { dockerfile: dockerfileRel, dockerfileFromStdin: !!dockerfileFromStdin, extra });
  }

  const progress = tty ? new TtyProgress(ctx.stdout) : undefined;
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
  const sendingTimer = !tty && !quiet && ctx.stdout.isTTY ? setInterval(() => ctx.stdout.write(`\r${contextLine()}`), 100) : undefined;
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
    const res = await ctx.client().images.build(counting, options);
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
    throw new StatusError(1, daemonError(err));
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
  const iidfile = flags.iidfile;
  if (iidfile) {
    if (!imageId) throw new StatusError(1, 'Server did not provide an image ID. Cannot write iidfile');
    // as the docker CLI: with -q the file gets the line the daemon sent, newline included
    writeFileSync(iidfile, quiet ? `${imageId}\n` : imageId, { mode: 0o666 });
  }
  return 0;
};

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
