// context export and context import: a context as docker packs it, a tar of meta.json and
// tls/docker/{ca,cert,key}.pem, to a file (NAME.dockercontext by default) or stdout, and back.
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createTarPacker, readTar } from '../../../archive/index.ts';
import { writeFileAtomicSync } from '../../../lib/index.ts';
import type { CliContext, CommandRun } from '../../command.ts';
import { ContextStore, defaultContextName, tlsFiles, type ContextMeta, type TlsFile } from '../../context-store.ts';
import { StatusError } from '../../errors.ts';
import { checkNewName, daemonSelection, readContext } from './create.ts';
import type * as spec from './specs.ts';

/** More than any context holds (a CA bundle is a few hundred KB); an archive beyond it is refused. */
const maxEntrySize = 16 << 20;

function contextFiles(ctx: CliContext, name: string): { meta: ContextMeta; tls: Partial<Record<TlsFile, Buffer>> } {
  const store = new ContextStore(ctx.configDir);
  if (name === defaultContextName) {
    const ep = daemonSelection(ctx).defaultEndpoint();
    return { meta: { Name: name, Metadata: { Description: 'Current DOCKER_HOST based configuration' }, Endpoints: { docker: { Host: ep.host, SkipTLSVerify: !!ep.tls && !ep.tls.verify } } }, tls: {} };
  }
  const meta = readContext(store, name);
  const tls: Partial<Record<TlsFile, Buffer>> = {};
  for (const f of store.tlsFiles(name)) tls[f] = readFileSync(store.tlsPath(name, f));
  return { meta, tls };
}

/** The context as a tar archive, in docker's layout. */
async function packContext(meta: ContextMeta, tls: Partial<Record<TlsFile, Buffer>>): Promise<Buffer> {
  const packer = createTarPacker();
  const archive = readAll(packer.stream, 'the archive', 4 * maxEntrySize);
  const metaJson = Buffer.from(JSON.stringify(meta));
  const mtime = new Date(0);
  await packer.entry({ name: 'meta.json', type: 'file', size: metaJson.length, mode: 0o644, mtime }, [metaJson]);
  const present = tlsFiles.filter((f) => tls[f]);
  if (present.length) {
    await packer.entry({ name: 'tls', type: 'directory', mode: 0o700, mtime });
    await packer.entry({ name: 'tls/docker', type: 'directory', mode: 0o700, mtime });
    for (const f of present) await packer.entry({ name: `tls/docker/${f}`, type: 'file', size: tls[f]!.length, mode: 0o600, mtime }, [tls[f]!]);
  }
  await packer.finish();
  return archive;
}

export const exportContext: CommandRun<typeof spec.exportContext.flags> = async (ctx, [name, file]) => {
  const { meta, tls } = contextFiles(ctx, name!);
  const dest = file ?? `${name}.dockercontext`;
  if (dest === '-' && ctx.stdout.isTTY) throw new StatusError(1, 'cowardly refusing to export to a terminal, specify a file path');
  const archive = await packContext(meta, tls);
  if (dest === '-') {
    await new Promise<void>((resolve, reject) => ctx.stdout.write(archive, (err) => (err ? reject(err) : resolve())));
    return;
  }
  // whole or not at all: the archive holds keys, and a torn one would not import
  writeFileAtomicSync(dest, archive, { mode: 0o600 });
  ctx.stderr.write(`Written file "${dest}"\n`);
};

async function readAll(body: Readable, what: string, limit = maxEntrySize): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > limit) throw new StatusError(1, `invalid context archive: ${what} is larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export const importContext: CommandRun<typeof spec.importContext.flags> = async (ctx, [name, file]) => {
  const store = new ContextStore(ctx.configDir);
  checkNewName(store, name!);
  let archive: Buffer;
  try {
    archive = await readAll(file === '-' ? ctx.stdin : createReadStream(file!), 'the archive', 4 * maxEntrySize);
  } catch (err) {
    if (err instanceof StatusError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new StatusError(1, e.code === 'ENOENT' ? `open ${file}: no such file or directory` : e.message);
  }
  if (archive.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    throw new StatusError(1, 'importing a context from a zip file is not supported: export it as a tar (berth context export, docker context export)');
  }
  // docker 28's `context export` never closes its tar writer: the last file's padding and the
  // end-of-archive blocks are missing. Supplied here, so its archives import.
  const complete = Buffer.concat([archive, Buffer.alloc((512 - (archive.length % 512)) % 512)]);
  let meta: ContextMeta | undefined;
  const tls: Partial<Record<TlsFile, Buffer>> = {};
  try {
    for await (const entry of readTar(Readable.from([complete]))) {
      const path = entry.header.name.replace(/^\.\//, '').replace(/\/$/, '');
      if (entry.header.type !== 'file') continue;
      if (path === 'meta.json') {
        const text = (await readAll(entry.body, path)).toString('utf8');
        try {
          meta = JSON.parse(text) as ContextMeta;
        } catch (err) {
          throw new StatusError(1, `invalid context archive: meta.json: ${(err as Error).message}`);
        }
        continue;
      }
      const m = /^tls\/docker\/(ca\.pem|cert\.pem|key\.pem)$/.exec(path);
      if (!m) throw new StatusError(1, `invalid context archive: unexpected file ${JSON.stringify(path)}`);
      tls[m[1] as TlsFile] = await readAll(entry.body, path);
    }
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw new StatusError(1, `invalid context archive: ${(err as Error).message}`);
  }
  if (!meta) throw new StatusError(1, 'invalid context archive: no meta.json');
  if (!meta.Endpoints?.docker?.Host) throw new StatusError(1, 'invalid context archive: meta.json has no docker endpoint');
  await store.write({ Name: name!, Metadata: meta.Metadata ?? {}, Endpoints: meta.Endpoints }, tls);
  ctx.stdout.write(`${name}\n`);
  ctx.stderr.write(`Successfully imported context "${name}"\n`);
};
