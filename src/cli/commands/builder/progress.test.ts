// The terminal view of a build, fed dockerd's classic stream: steps with their state, the running
// step's last output lines under it, and the final frame.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { TtyProgress } from './progress.ts';

class Screen extends Writable {
  text = '';
  columns = 80;
  rows = 24;
  #waiters: Array<() => void> = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    for (const w of this.#waiters.splice(0)) w();
    cb();
  }
  /** Resolves once something drawn matches `re` (the view redraws on a timer, unref'd: this keeps the loop alive meanwhile). */
  async until(re: RegExp): Promise<void> {
    const alive = setInterval(() => {}, 60_000);
    try {
      while (!re.test(this.text)) await new Promise<void>((r) => this.#waiters.push(r));
    } finally {
      clearInterval(alive);
    }
  }
}

describe('TtyProgress', () => {
  it("shows the running step's output under it, and only the steps once they are done", async () => {
    const screen = new Screen();
    const view = new TtyProgress(screen);
    for (const stream of ['Step 1/2 : FROM busybox\n', ' ---> 0123456789ab\n', 'Step 2/2 : RUN make', '\n', ' ---> Running in 0123456789ab\n', 'compiling\n']) view.message({ stream });
    await screen.until(/=> \[2\/2\] RUN make +\d+\.\ds\n\u001b\[2K => => # compiling +\n/);
    for (const stream of [' ---> fedcba987654\n', 'Successfully built fedcba987654\n', 'Successfully tagged app:latest\n']) view.message({ stream });
    view.end();
    const final = screen.text.slice(screen.text.lastIndexOf('[+] Building'));
    assert.match(final, /^\[\+\] Building \d+\.\ds \(2\/2\) FINISHED\n/);
    assert.doesNotMatch(final, /compiling/);
    assert.match(final, /=> => writing image sha256:fedcba987654 +\n\u001b\[2K => => naming to app:latest/);
  });

  it('marks a failed step and keeps its output', () => {
    const screen = new Screen();
    const view = new TtyProgress(screen);
    for (const stream of ['Step 1/1 : RUN false\n', ' ---> Running in 0123456789ab\n', 'oops\n']) view.message({ stream });
    view.fail();
    view.end();
    const final = screen.text.slice(screen.text.lastIndexOf('[+] Building'));
    assert.match(final, /^\[\+\] Building \d+\.\ds \(1\/1\) ERROR\n/);
    assert.match(final, /=> ERROR \[1\/1\] RUN false +\d+\.\ds\n\u001b\[2K => => # oops +\n/);
  });
});
