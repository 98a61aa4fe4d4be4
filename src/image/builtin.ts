// The built-in busybox image, made from the host's busybox-static so that `berth run busybox …`
// works on a machine with no registry: every applet linked to the one binary, /etc/passwd and
// /etc/group with root and nobody, /tmp with mode 1777. Entries carry fixed owners and times, so
// the same binary always yields the same layer and image id.
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { createTarPacker, type TarHeaderInit } from '../archive/index.ts';
import { NotFound } from '../errors/index.ts';
import { execProgram } from '../lib/index.ts';
import type { LayerStore } from '../storage/index.ts';
import { emptyContainerConfig, type ImageConfig } from '../types/index.ts';
import type { ImageStore, Image } from './store.ts';
import { familiarString, withDefaultTag, type Reference } from './reference.ts';
import { pullReference, type ImageSource, type PullOptions } from './source.ts';

export const builtinBusyboxPath = '/bin/busybox';

/** Whether `ref` names the image this module can provide. */
export function isBuiltinReference(ref: Reference): boolean {
  return ref.domain === 'docker.io' && ref.path === 'library/busybox' && (ref.tag === undefined || ref.tag === 'latest') && !ref.digest;
}

async function applets(binary: string): Promise<string[]> {
  const { stdout } = await execProgram(binary, ['--list-full']);
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.endsWith('/busybox') && l !== 'busybox' && !l.includes('..'));
}

export async function createBuiltinBusybox(images: ImageStore, layers: LayerStore, binary = builtinBusyboxPath): Promise<Image> {
  let st;
  try {
    st = await fsp.stat(binary);
  } catch {
    throw new NotFound(`no built-in busybox: ${binary} is missing (install busybox-static)`);
  }
  const mtime = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
  const list = await applets(binary);
  const pack = createTarPacker();
  const base = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime } as const;
  const dir = (name: string, mode = 0o755): TarHeaderInit => ({ ...base, name, type: 'directory', mode });
  const file = (name: string, size: number, mode = 0o644): TarHeaderInit => ({ ...base, name, type: 'file', mode, size });

  const producing = (async () => {
    const dirs = new Set<string>(['bin/', 'dev/', 'etc/', 'home/', 'proc/', 'root/', 'sys/', 'tmp/', 'usr/', 'usr/bin/', 'usr/sbin/', 'sbin/', 'var/', 'var/spool/', 'var/www/']);
    for (const a of list) {
      const parts = a.replace(/^\//, '').split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/');
    }
    for (const d of [...dirs].sort()) {
      await pack.entry(dir(d, d === 'tmp/' ? 0o1777 : d === 'root/' ? 0o700 : 0o755));
    }
    await pack.entry(file('bin/busybox', st.size, 0o755), createReadStream(binary));
    for (const a of list.map((x) => x.replace(/^\//, '')).sort()) {
      if (a === 'bin/busybox') continue;
      await pack.entry({ ...base, name: a, type: 'link', linkname: 'bin/busybox', mode: 0o755 });
    }
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
    const group = 'root:x:0:\nnobody:x:65534:\n';
    await pack.entry(file('etc/passwd', Buffer.byteLength(passwd)), Readable.from([Buffer.from(passwd)]));
    await pack.entry(file('etc/group', Buffer.byteLength(group)), Readable.from([Buffer.from(group)]));
    await pack.finish();
  })();
  const layer = await layers.register(pack.stream);
  await producing;
  const created = mtime.toISOString();
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    created,
    comment: `built by berth from ${binary}`,
    config: { ...emptyContainerConfig(), Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [
      { created, created_by: `/bin/sh -c #(nop) ADD file:${binary} in / ` },
      { created, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    ],
  };
  layers.retain(layer.chainId);
  try {
    return await images.create(Buffer.from(JSON.stringify(config)));
  } finally {
    await layers.release(layer.chainId);
  }
}

/**
 * The built-in busybox as an image source: a pull of busybox[:latest] builds (or finds) the image
 * and tags it, with the progress lines a registry pull of one layer shows.
 */
export class BuiltinBusyboxSource implements ImageSource {
  readonly #images: ImageStore;
  readonly #layers: LayerStore;
  readonly #binary: string;

  constructor(images: ImageStore, layers: LayerStore, binary = builtinBusyboxPath) {
    this.#images = images;
    this.#layers = layers;
    this.#binary = binary;
  }

  async pull(options: PullOptions): Promise<void> {
    const ref = withDefaultTag(pullReference(options));
    if (!isBuiltinReference(ref)) throw new NotFound(`the built-in image source has no ${familiarString(ref)}`);
    const shown = familiarString(ref);
    const existing = this.#images.find(shown);
    options.progress({ status: `Pulling from ${ref.path}`, id: ref.tag ?? 'latest' });
    const image = await createBuiltinBusybox(this.#images, this.#layers, this.#binary);
    const layerId = image.config.rootfs.diff_ids[0].replace('sha256:', '').slice(0, 12);
    options.progress({ status: 'Pull complete', progressDetail: {}, id: layerId });
    await this.#images.tag(image.id, ref);
    options.progress({
      status: existing && existing.id === image.id ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}`,
    });
  }
}
