// Which image source serves a pull, with fake sources: the built-in busybox behind the same port
// as a registry, chosen by reference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReference } from './reference.ts';
import { pullImage, selectSources } from './pull.ts';
import type { ImageSource, RegistrySource } from './source.ts';

function source(name: string, log: string[], fail?: Error): ImageSource {
  return {
    async pull(o) {
      log.push(`${name}:${o.image}${o.tag ? `:${o.tag}` : ''}`);
      if (fail) throw fail;
    },
  };
}

function registry(log: string[], mirrors: boolean, fail?: Error): RegistrySource {
  return { ...source('registry', log, fail), hasMirrors: () => mirrors };
}

const pull = (image: string, tag?: string) => ({ image, ...(tag ? { tag } : {}), progress: () => {} });

describe('image sources', () => {
  it('busybox[:latest] comes from the built-in source when docker.io has no mirrors', async () => {
    const log: string[] = [];
    const sources = { registry: registry(log, false), builtin: source('builtin', log) };
    await pullImage(sources, pull('busybox'));
    await pullImage(sources, pull('docker.io/library/busybox', 'latest'));
    assert.deepEqual(log, ['builtin:busybox', 'builtin:docker.io/library/busybox:latest']);
  });

  it('with mirrors, a mirror is asked first and the built-in source serves busybox when it fails', async () => {
    const log: string[] = [];
    await pullImage({ registry: registry(log, true, new Error('mirror down')), builtin: source('builtin', log) }, pull('busybox'));
    assert.deepEqual(log, ['registry:busybox', 'builtin:busybox']);
  });

  it('everything else comes from the registry, whose error is the pull error', async () => {
    const log: string[] = [];
    const sources = { registry: registry(log, false, new Error('manifest unknown')), builtin: source('builtin', log) };
    await assert.rejects(pullImage(sources, pull('busybox', '1.36')), /manifest unknown/);
    await assert.rejects(pullImage(sources, pull('alpine')), /manifest unknown/);
    assert.deepEqual(log, ['registry:busybox:1.36', 'registry:alpine']);
    assert.deepEqual(selectSources(parseReference('busybox@sha256:' + 'a'.repeat(64)), sources), [sources.registry]);
  });

  it('without a registry, only the built-in busybox can be pulled', async () => {
    const log: string[] = [];
    await assert.rejects(pullImage({ builtin: source('builtin', log) }, pull('alpine')), {
      kind: 'not-found',
      message: 'pull access denied for alpine: no registry is configured (only the built-in busybox image is available offline)',
    });
    await pullImage({ builtin: source('builtin', log) }, pull('busybox'));
    assert.deepEqual(log, ['builtin:busybox']);
  });

  it('the last source to fail gives the error', async () => {
    const log: string[] = [];
    const sources = { registry: registry(log, true, new Error('mirror down')), builtin: source('builtin', log, new Error('no /bin/busybox')) };
    await assert.rejects(pullImage(sources, pull('busybox')), /no \/bin\/busybox/);
  });
});
