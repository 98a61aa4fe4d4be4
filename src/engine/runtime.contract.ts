// What a ContainerRuntime must do for the engine's lifecycle, run against FakeRuntime in the unit
// tier (runtime.test.ts) and against runc under conmon in test/integration/ports/. Exits are
// awaited through watchExits, never by sleeping.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../lib/index.ts';
import type { CreateOptions } from '../runtime/index.ts';
import type { ContainerRuntime } from './context.ts';

export interface RuntimeSubject {
  runtime: ContainerRuntime & { watchExits(onExit: (id: string) => void): void };
  /** Options that create container `id` with one process that runs until it is killed. */
  createOptions(id: string): CreateOptions;
  close?(): void | Promise<void>;
}

export function runtimeContract(name: string, make: () => RuntimeSubject | Promise<RuntimeSubject>): void {
  describe(`ContainerRuntime contract: ${name}`, () => {
    let subject: RuntimeSubject;
    const exited = new Set<string>();
    const waiting = new Map<string, () => void>();
    const exitOf = (id: string) => new Promise<void>((resolve) => (exited.has(id) ? resolve() : waiting.set(id, resolve)));
    before(async () => {
      subject = await make();
      subject.runtime.watchExits((id) => {
        exited.add(id);
        waiting.get(id)?.();
      });
    });
    after(() => subject.close?.());

    it('a created container is alive and has state; once started its pid is among its processes', async () => {
      const { runtime } = subject;
      const id = newId();
      const { pid } = await runtime.create(subject.createOptions(id));
      try {
        assert.ok(pid > 0);
        assert.equal(await runtime.isAlive(id), true);
        assert.equal(await runtime.hasState(id), true);
        assert.equal(await runtime.pid(id), pid);
        await runtime.start(id);
        assert.ok((await runtime.pids(id)).includes(pid));
        assert.equal(await runtime.exitStatus(id), undefined, 'no exit while it runs');
      } finally {
        await runtime.kill(id, 9, { all: true }).catch(() => {});
        await exitOf(id);
        await runtime.delete(id);
      }
    });

    it('SIGKILL is recorded as exit 137; delete then forgets the container', async () => {
      const { runtime } = subject;
      const id = newId();
      await runtime.create(subject.createOptions(id));
      await runtime.start(id);
      const exit = exitOf(id);
      await runtime.kill(id, 9, { all: true });
      await exit;
      const status = await runtime.exitStatus(id);
      assert.equal(status?.exitCode, 137);
      assert.equal(status?.oomKilled, false);
      assert.ok(status.finishedAt instanceof Date && !Number.isNaN(status.finishedAt.getTime()));
      assert.equal(await runtime.hasState(id), true, 'the exit is kept until delete');
      await runtime.delete(id);
      assert.equal(await runtime.hasState(id), false);
      assert.equal(await runtime.exitStatus(id), undefined);
      assert.equal(await runtime.isAlive(id), false);
    });

    it('knows nothing of a container it never created', async () => {
      const { runtime } = subject;
      const id = newId();
      assert.equal(await runtime.hasState(id), false);
      assert.equal(await runtime.isAlive(id), false);
      assert.equal(await runtime.exitStatus(id), undefined);
      assert.equal(await runtime.pid(id), undefined);
    });
  });
}
