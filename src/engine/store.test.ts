import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SkippedRecords } from '../lib/index.ts';
import { fakeEngine } from './fakes.test-support.ts';
import { ContainerStore } from './store.ts';

const root = mkdtempSync('/tmp/berth-store-test-');
after(() => rmSync(root, { recursive: true, force: true }));

describe('container records', () => {
  it('a malformed record is skipped and reported once, the others load, and its files stay', async () => {
    const { engine } = fakeEngine(`${root}/a`);
    await engine.init();
    const { Id: good } = await engine.create({ Image: 'img', Cmd: ['true'] }, { name: 'good' });
    const { Id: badName } = await engine.create({ Image: 'img', Cmd: ['true'] }, { name: 'badname' });
    const { Id: badEnv } = await engine.create({ Image: 'img', Cmd: ['true'] }, { name: 'badenv' });
    const { Id: truncated } = await engine.create({ Image: 'img', Cmd: ['true'] }, { name: 'truncated' });
    const { Id: badHost } = await engine.create({ Image: 'img', Cmd: ['true'] }, { name: 'badhost' });
    const containers = join(`${root}/a`, 'containers');
    const edit = (id: string, file: string, change: (v: Record<string, unknown>) => void) => {
      const path = join(containers, id, file);
      const v = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      change(v);
      writeFileSync(path, JSON.stringify(v));
    };
    edit(badName, 'config.v2.json', (v) => (v.Name = 5));
    edit(badEnv, 'config.v2.json', (v) => ((v.Config as Record<string, unknown>).Env = 'x'));
    writeFileSync(join(containers, truncated, 'config.v2.json'), '{"ID":"' + truncated.slice(0, 10));
    edit(badHost, 'hostconfig.json', (v) => (v.Tmpfs = { '/x': 5 }));

    const skipped = new SkippedRecords();
    const store = new ContainerStore({ root: containers, skipped });
    const loaded = await store.load();
    assert.deepEqual(loaded.map((c) => c.id), [good]);
    const warnings = skipped.warnings();
    assert.equal(warnings.length, 4);
    assert.ok(warnings.some((w) => w.includes(badName) && w.includes('cannot unmarshal number into Go struct field Container.Name of type string')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes(badEnv) && w.includes('Go struct field Config.Config.Env of type []string')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes(truncated) && w.includes('invalid JSON')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes(badHost) && w.includes('hostconfig.json')), warnings.join('\n'));
    for (const id of [badName, badEnv, truncated, badHost]) assert.ok(existsSync(join(containers, id)), 'a skipped record is left on disk');
    // a second load does not report again
    skipped.report('container', badName, 'again');
    assert.equal(skipped.warnings().length, 4);
  });

  it('a directory without config.v2.json is a half-made container and is swept', async () => {
    const dir = join(root, 'b', 'containers');
    mkdirSync(join(dir, 'f'.repeat(64)), { recursive: true });
    mkdirSync(join(dir, `.removing-${'e'.repeat(64)}`), { recursive: true });
    const skipped = new SkippedRecords();
    assert.deepEqual(await new ContainerStore({ root: dir, skipped }).load(), []);
    assert.deepEqual(readdirSync(dir), []);
    assert.deepEqual(skipped.warnings(), []);
  });

  it('refuses to write a malformed record', async () => {
    const { engine } = fakeEngine(`${root}/c`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['true'] });
    const c = engine.get(Id);
    (c.record.Config as unknown as Record<string, unknown>).Env = 'x';
    await assert.rejects(engine.rename(Id, 'other'), /refusing to save container .*: its record is malformed: .*Config.Env/);
  });
});
