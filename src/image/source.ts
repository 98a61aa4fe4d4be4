// The port pulled images come through (a registry, the built-in busybox), and the reference a
// pull request names. Which source serves which reference is pull.ts's.
import type { JsonMessage } from '../types/index.ts';
import { parseReference, withDigest, withTag, type Reference } from './reference.ts';

export interface PullOptions {
  image: string;
  tag?: string;
  platform?: string;
  /** X-Registry-Auth as the client sent it. */
  registryAuth?: string;
  progress: (m: JsonMessage) => void;
  signal?: AbortSignal;
}

/** Where a pulled image comes from: it fetches `image`[:`tag`], stores and tags it, reporting progress. */
export interface ImageSource {
  pull(options: PullOptions & { signal: AbortSignal }): Promise<void>;
}

/** A registry client as an image source (the distribution service is one). */
export interface RegistrySource extends ImageSource {
  /** True when docker.io has mirrors, to ask before the built-in busybox. */
  hasMirrors(): boolean;
}

/** The reference the request names, with its tag or digest applied. */
export function pullReference(options: Pick<PullOptions, 'image' | 'tag'>): Reference {
  const ref = parseReference(options.image);
  if (!options.tag) return ref;
  return options.tag.includes(':') ? withDigest(ref, options.tag) : withTag(ref, options.tag);
}
