// The registry's web UI in a real browser: Debian's chromium driven by playwright-core. Images
// pushed with the docker CLI show up with their tags, sizes, architecture and layers; deleting a
// tag in the UI is seen by `docker pull`; a protected registry asks for a login; the page is
// usable by keyboard, labelled, and fits a phone's width.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { dockerBin, dockerEnv } from '../../helpers/docker-cli.ts';
import { htpasswdLine, startBerthRegistry, type BerthRegistry } from './helpers.ts';

let d: TestDaemon;
let reg: BerthRegistry;
let secured: BerthRegistry;
let browser: BrowserContext;
let page: Page;

const docker = (args: string[], input?: string) => {
  const r = spawnSync(dockerBin, args, { env: dockerEnv(d), input: input ?? '', encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};
const dockerOk = (args: string[], input?: string) => {
  const r = docker(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.out}`);
  return r.out;
};

before(async () => {
  d = await startDaemon();
  reg = await startBerthRegistry(d.base, { name: 'ui', config: 'storage:\n  delete:\n    enabled: true\nui:\n  title: Team registry\n' });
  writeFileSync(join(d.base, 'htpasswd'), `${htpasswdLine('alice', 'alice-pw')}\n`);
  secured = await startBerthRegistry(d.base, { name: 'ui-secured', config: `auth:\n  htpasswd:\n    realm: r\n    path: ${join(d.base, 'htpasswd')}\n` });
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
  for (const tag of ['1', '2']) {
    dockerOk(['tag', 'busybox', `${reg.host}/ui/app:${tag}`]);
    dockerOk(['push', `${reg.host}/ui/app:${tag}`]);
  }
  dockerOk(['tag', 'busybox', `${reg.host}/other/tool:latest`]);
  dockerOk(['push', `${reg.host}/other/tool:latest`]);
  const profile = join(d.base, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});
after(async () => {
  await browser?.close();
  await reg?.stop();
  await secured?.stop();
  await d?.cleanup();
});

describe('the web UI', () => {
  it('lists the repositories pushed with the docker CLI, and searches them', async () => {
    await page.goto(`${reg.url}/`);
    assert.equal(new URL(page.url()).pathname, '/ui/');
    await page.getByRole('link', { name: 'ui/app' }).waitFor();
    assert.equal(await page.title(), 'Team registry');
    assert.ok(await page.getByRole('link', { name: 'other/tool' }).isVisible());
    await page.getByLabel('Search repositories').fill('tool');
    await page.getByRole('link', { name: 'other/tool' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'ui/app' }).count(), 0);
    await page.getByLabel('Search repositories').fill('nothing-here');
    await page.getByText('No repository matches your search.').waitFor();
    await page.getByLabel('Search repositories').fill('');
  });

  it('shows tags with size, created time, architecture and digest, and the pull command', async () => {
    await page.getByRole('link', { name: 'ui/app' }).click();
    await page.getByRole('heading', { level: 1, name: 'ui/app' }).waitFor();
    const row = page.locator('tr[data-tag="1"]');
    await row.locator('code').waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], '1');
    assert.match(cells[1], /^[\d.]+ (kB|MB)$/);
    assert.notEqual(cells[2], '…');
    assert.match(cells[3], /^linux\/amd64$/);
    assert.match(cells[4], /^sha256:[0-9a-f]{12}$/);
    const digest = (await row.locator('code').getAttribute('title'))!;
    const pushed = /1: digest: (sha256:[0-9a-f]{64})/.exec(dockerOk(['push', `${reg.host}/ui/app:1`]))![1];
    assert.equal(digest, pushed);
    assert.match(await page.locator('.pull code').innerText(), new RegExp(`^docker pull ${reg.host}/ui/app:\\d$`));
  });

  it("shows a manifest's layers and config", async () => {
    await page.getByRole('link', { name: '1', exact: true }).click();
    await page.getByRole('heading', { name: /^Layers \(1\)$/ }).waitFor();
    assert.equal(await page.locator('tr.layer').count(), 1);
    assert.match(await page.locator('tr.layer td').nth(1).innerText(), /^sha256:[0-9a-f]{12}$/);
    assert.match(await page.locator('pre[aria-labelledby="config"]').innerText(), /"architecture": "amd64"/);
    assert.match(await page.locator('dl.facts').innerText(), /linux\/amd64/);
  });

  it('deletes a tag, and docker pull no longer finds it', async () => {
    await page.goto(`${reg.url}/ui/#/r/ui/app`);
    await page.locator('tr[data-tag="2"] code').waitFor();
    await page.getByRole('button', { name: 'Delete tag 2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted ui/app:2').waitFor();
    assert.equal(await page.locator('tr[data-tag="2"]').count(), 0);
    assert.equal(await page.locator('tr[data-tag="1"]').count(), 1);
    dockerOk(['rmi', `${reg.host}/ui/app:2`]);
    const gone = docker(['pull', `${reg.host}/ui/app:2`]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.out, /manifest unknown|not found/);
    dockerOk(['pull', `${reg.host}/ui/app:1`]);
  });

  it('is labelled, has landmarks, works by keyboard, and fits a phone', async () => {
    await page.goto(`${reg.url}/ui/`);
    await page.getByRole('link', { name: 'ui/app' }).waitFor();
    for (const role of ['banner', 'main', 'search', 'contentinfo'] as const) assert.equal(await page.getByRole(role).count(), 1, role);
    assert.equal(await page.getByRole('navigation', { name: 'Breadcrumb' }).count(), 1);
    // every input has a label
    // (expressions run in the page: this project's TypeScript has no DOM types)
    const unlabelled = await page.evaluate<string[]>("[...document.querySelectorAll('input')].filter((i) => !i.labels.length && !i.getAttribute('aria-label')).map((i) => i.id)");
    assert.deepEqual(unlabelled, []);
    // keyboard: focus the repository link and open it with Enter
    await page.getByRole('link', { name: 'ui/app' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'ui/app' }).waitFor();
    assert.equal(await page.evaluate<string>('document.activeElement.tagName'), 'H1');
    // a phone: nothing wider than the screen
    await page.setViewportSize({ width: 375, height: 740 });
    await page.locator('tr[data-tag="1"] code').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: join(d.base, 'ui-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('asks for a login on a protected registry, in its own form', async () => {
    let nativeDialog = false;
    page.on('dialog', () => (nativeDialog = true));
    await page.goto(`${secured.url}/ui/`);
    const dialog = page.getByRole('dialog', { name: 'Log in to this registry' });
    await dialog.waitFor();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wrong');
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Incorrect username or password.').waitFor();
    await page.getByLabel('Password').fill('alice-pw');
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Repositories' }).waitFor();
    assert.match(await page.locator('#who').innerText(), /Logged in as alice/);
    assert.equal(nativeDialog, false);
  });

  it('logs in through the built-in token service and browses with scoped tokens', async () => {
    const tokenReg = await startBerthRegistry(d.base, {
      name: 'ui-token',
      config: `auth:\n  token:\n    signingkey: ${join(d.base, 'ui-token.pem')}\n    htpasswd: ${join(d.base, 'htpasswd')}\n`,
    });
    try {
      dockerOk(['login', '-u', 'alice', '--password-stdin', tokenReg.host], 'alice-pw');
      dockerOk(['tag', 'busybox', `${tokenReg.host}/tok/app:7`]);
      dockerOk(['push', `${tokenReg.host}/tok/app:7`]);
      dockerOk(['logout', tokenReg.host]);
      await page.goto(`${tokenReg.url}/ui/`);
      const dialog = page.getByRole('dialog', { name: 'Log in to this registry' });
      await dialog.waitFor();
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice-pw');
      await dialog.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('link', { name: 'tok/app' }).click();
      await page.locator('tr[data-tag="7"] code').waitFor();
      assert.match(await page.locator('tr[data-tag="7"] td').nth(3).innerText(), /linux\/amd64/);
    } finally {
      await tokenReg.stop();
    }
  });
});
