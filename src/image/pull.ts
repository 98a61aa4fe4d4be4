// POST /images/create?fromImage=…: fetching an image by reference from an image source. Two
// sources sit behind one port: a registry (the distribution subsystem, wired by the daemon) and
// the built-in busybox (builtin.ts), which answers docker.io/library/busybox:latest offline. The
// reference selects them: busybox comes from the built-in source, unless docker.io has mirrors —
// then a mirror is asked first and the built-in source is the fallback; anything else comes from
// the registry.
import { NotFound } from '../errors/index.ts';
import { isBuiltinReference } from './builtin.ts';
import { familiarName, withDefaultTag, type Reference } from './reference.ts';
import { pullReference, type ImageSource, type PullOptions, type RegistrySource } from './source.ts';

export interface ImageSources {
  registry?: RegistrySource;
  builtin: ImageSource;
}

/** The sources to try for `ref`, in order; each one's failure passes to the next, the last's is the pull's. */
export function selectSources(ref: Reference, sources: ImageSources): ImageSource[] {
  const { registry, builtin } = sources;
  if (isBuiltinReference(ref)) return registry?.hasMirrors() ? [registry, builtin] : [builtin];
  return registry ? [registry] : [];
}

export async function pullImage(sources: ImageSources, options: PullOptions): Promise<void> {
  const ref = pullReference(options);
  const chain = selectSources(ref, sources);
  if (chain.length === 0) {
    throw new NotFound(`pull access denied for ${familiarName(withDefaultTag(ref))}: no registry is configured (only the built-in busybox image is available offline)`);
  }
  const request = { ...options, signal: options.signal ?? new AbortController().signal };
  for (const [i, source] of chain.entries()) {
    try {
      await source.pull(request);
      return;
    } catch (err) {
      if (i === chain.length - 1) throw err;
      // a mirror that cannot serve busybox: the built-in source still can
    }
  }
}
