// berth on a terminal: a tty session that prints and exits at once keeps its output, and an
// exec's exit code is known as soon as its stream ends.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { runShortSessions } from '../../helpers/short-sessions.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon();
  d.berthOk(['pull', 'busybox']);
  d.berthOk(['run', '-d', '--name', 'sc', 'busybox', 'sleep', '600']);
});
after(async () => {
  await d?.cleanup();
});

describe('berth: short sessions', () => {
  const client = () => ({ command: process.execPath, prefix: [join(repoRoot, 'dist', 'berth.mjs')], env: { ...process.env, BERTH_HOST: d.host, TERM: 'xterm' } });

  it('exec -it sc tty, 50 times: output and exit code every time', async () => {
    await runShortSessions(client(), ['exec', '-it', 'sc', 'sh', '-c', 'tty; echo done-7; exit 7']);
  });

  it('run -it --rm tty, 50 times: output and exit code every time', async () => {
    await runShortSessions(client(), ['run', '-it', '--rm', 'busybox', 'sh', '-c', 'tty; echo done-7; exit 7']);
  });

  it("exec's exit code is never lost: 50 runs of exec sc sh -c 'exit 3'", () => {
    const codes = Array.from({ length: 50 }, () => d.berth(['exec', 'sc', 'sh', '-c', 'exit 3']).code);
    assert.deepEqual(codes.filter((c) => c !== 3), []);
  });
});
