// The behaviour every PortBinder owes the port publisher, as one suite: the unit tier runs it on
// FakePortBinder, test/integration/network/ on SocketPortBinder with real sockets on 127.0.0.1.
// The promise is about holding ports — one holder per address and port, dockerd's error text for
// the second, free again once closed; forwarding traffic is the real binder's alone and is tested
// beside it. (Not named *.test.ts: it registers tests for a caller.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PortBinder } from './proxy.ts';

export interface PortBinderContractContext {
  binder: PortBinder;
  /** A port no one holds on 127.0.0.1 or 0.0.0.0, for tcp and udp. */
  freePort(): Promise<number>;
}

export function portBinderContract(name: string, make: () => Promise<PortBinderContractContext>): void {
  describe(`PortBinder contract: ${name}`, () => {
    for (const proto of ['tcp', 'udp'] as const) {
      it(`${proto}: a port is held once, the second bind fails with dockerd's text, and closing frees it`, async () => {
        const c = await make();
        const port = await c.freePort();
        const host = { ip: '127.0.0.1', port };
        const first = await c.binder.bind(proto, host);
        try {
          await assert.rejects(c.binder.bind(proto, host), (err: Error) => {
            assert.equal(err.name, 'Conflict');
            assert.equal(err.message, `Error starting userland proxy: listen ${proto}4 127.0.0.1:${port}: bind: address already in use`);
            return true;
          });
        } finally {
          await first.close();
        }
        const again = await c.binder.bind(proto, host);
        await again.close();
      });
    }

    it('0.0.0.0 and a single address of the same port clash; tcp and udp of one number do not', async () => {
      const c = await make();
      const port = await c.freePort();
      const all = await c.binder.bind('tcp', { ip: '0.0.0.0', port });
      try {
        await assert.rejects(c.binder.bind('tcp', { ip: '127.0.0.1', port }), /address already in use/);
        const udp = await c.binder.bind('udp', { ip: '127.0.0.1', port }, { ip: '127.0.0.1', port: 9 });
        await udp.close();
      } finally {
        await all.close();
      }
    });
  });
}
