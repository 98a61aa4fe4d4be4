// The layer store's crash safety on a real directory, with the overlay2 driver over FakeSyscalls
// (no root). A crash is stood for by an fs call that does part of its work and rejects: the state
// on disk at that moment is what a SIGKILL there would leave, and a new store loads it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fsp, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, it, mock } from 'node:test';
import { Readable } from 'node:stream';
import { SkippedRecords, silentLogger } from '../lib/index.ts';
import { FakeSyscalls } from '../sys/index.ts';
import { LayerStore } from './layer-store.ts';
import { Overlay2Driver } from './overlay2.ts';

const root = mkdtempSync('/tmp/berth-layer-store-test-');
after(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => mock.restoreAll());

let n = 0;
const containerId = (i: number) => String(i).padStart(64, 'c');

/** A store as berthd opens one at start-up; `dir` is the data root it shares with earlier stores. */
async function open(dir: string) {
  const driver = new Overlay2Driver(join(dir, 'overlay2'), new FakeSyscalls());
  await driver.init();
  const skipped = new SkippedRecords(silentLogger);
  const store = new LayerStore({ root: join(dir, 'layerdb'), driver, skipped });
  await store.load();
  return { store, driver, skipped };
}

/**
 * Makes the next fs.promises.rm of a directory stop half-way, as a recursive rm killed between two
 * unlinks: its first file (by name) is gone, the others and the directory stay.
 */
function crashInNextRm(): void {
  const rm = mock.method(fsp, 'rm', async (path: string) => {
    rm.mock.restore();
    const names = (await fsp.readdir(path)).sort();
    await fsp.unlink(join(path, names[0]));
    throw new Error('berthd killed during the removal');
  });
}

/** A layer tar with no files: just the end-of-archive blocks. */
const emptyLayer = (): Readable => Readable.from([Buffer.alloc(1024)]);

describe('LayerStore', () => {
  it('removes a container layer whole: entry and driver directories, nothing left in tmp', async () => {
    const dir = join(root, `data-${n++}`);
    const { store, driver } = await open(dir);
    const rw = await store.createRwLayer(containerId(1), undefined);
    assert.deepEqual((await driver.list()).sort(), [rw.initId, rw.mountId].sort());
    await store.removeRwLayer(containerId(1));
    assert.equal(store.rwLayer(containerId(1)), undefined);
    assert.deepEqual(readdirSync(join(dir, 'layerdb', 'mounts')), []);
    assert.deepEqual(readdirSync(join(dir, 'layerdb', 'tmp')), []);
    assert.deepEqual(await driver.list(), []);
  });

  it('a crash while a container layer is removed leaves nothing that outlives the next start-up', async () => {
    const dir = join(root, `data-${n++}`);
    const first = await open(dir);
    await first.store.createRwLayer(containerId(2), undefined);
    crashInNextRm();
    await assert.rejects(first.store.removeRwLayer(containerId(2)), /killed/);

    // the container is gone (its directory was renamed away before its layer went)
    const next = await open(dir);
    await next.store.sweep(new Set());
    assert.equal(existsSync(join(dir, 'layerdb', 'mounts', containerId(2))), false, 'the container layer entry is left over');
    assert.deepEqual(readdirSync(join(dir, 'layerdb', 'tmp')), []);
    assert.deepEqual(await next.driver.list(), []);
    assert.deepEqual(next.skipped.warnings(), []);
  });

  it('a crash while an image layer is released leaves no damaged entry behind', async () => {
    const dir = join(root, `data-${n++}`);
    const first = await open(dir);
    const layer = await first.store.register(emptyLayer());
    first.store.retain(layer.chainId);
    crashInNextRm();
    await assert.rejects(first.store.release(layer.chainId), /killed/);

    const next = await open(dir);
    assert.equal(next.store.get(layer.chainId), undefined);
    assert.deepEqual(readdirSync(join(dir, 'layerdb', 'sha256')), []);
    assert.deepEqual(next.skipped.warnings(), []);
  });
});
