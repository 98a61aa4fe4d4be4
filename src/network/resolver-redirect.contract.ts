// The behaviour every ResolverRedirect owes the sandbox manager, as one suite: the unit tier runs
// it on FakeResolverRedirect, test/integration/network/ on IptablesResolverRedirect in network
// namespaces of its own. What a namespace holds is read back through the context (the fake's map,
// or iptables-save and the sysctl inside the namespace). (Not named *.test.ts: it registers tests
// for a caller.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ResolverRedirect, ResolverTarget } from './resolver-redirect.ts';

export interface LoadedRedirect {
  /** Whether the namespace was set up for a redirect (the first apply happened). */
  installed: boolean;
  /** Where 127.0.0.11:53 leads, for udp and tcp alike; undefined when nowhere. */
  target: ResolverTarget | undefined;
}

export interface ResolverRedirectContractContext {
  redirect: ResolverRedirect;
  /** A new network namespace of this test's own (its file). */
  namespace(): Promise<string>;
  loaded(netns: string): Promise<LoadedRedirect>;
  /** Removes the namespaces this test made. */
  cleanup(): Promise<void>;
}

export function resolverRedirectContract(name: string, make: () => Promise<ResolverRedirectContractContext>): void {
  describe(`ResolverRedirect contract: ${name}`, () => {
    let c: ResolverRedirectContractContext;
    beforeEach(async () => {
      c = await make();
    });
    afterEach(async () => {
      await c.cleanup();
    });

    it('the first apply installs the redirect; the next ones re-point it, or point it nowhere', async () => {
      const ns = await c.namespace();
      assert.deepEqual(await c.loaded(ns), { installed: false, target: undefined });
      await c.redirect.apply(ns, { gateway: '10.219.1.1', address: '10.219.1.7' }, { first: true });
      assert.deepEqual(await c.loaded(ns), { installed: true, target: { gateway: '10.219.1.1', address: '10.219.1.7' } });
      await c.redirect.apply(ns, { gateway: '10.219.2.1', address: '10.219.2.9' }, { first: false });
      assert.deepEqual(await c.loaded(ns), { installed: true, target: { gateway: '10.219.2.1', address: '10.219.2.9' } });
      await c.redirect.apply(ns, undefined, { first: false });
      assert.deepEqual(await c.loaded(ns), { installed: true, target: undefined });
      await c.redirect.apply(ns, { gateway: '10.219.3.1', address: '10.219.3.2' }, { first: false });
      assert.deepEqual(await c.loaded(ns), { installed: true, target: { gateway: '10.219.3.1', address: '10.219.3.2' } });
    });

    it('namespaces are apart: one apply touches its own only', async () => {
      const a = await c.namespace();
      const b = await c.namespace();
      await c.redirect.apply(a, { gateway: '10.219.4.1', address: '10.219.4.2' }, { first: true });
      assert.deepEqual(await c.loaded(b), { installed: false, target: undefined });
      await c.redirect.apply(b, { gateway: '10.219.5.1', address: '10.219.5.2' }, { first: true });
      assert.deepEqual((await c.loaded(a)).target, { gateway: '10.219.4.1', address: '10.219.4.2' });
    });

    it('a namespace that is not there fails with an error naming it', async () => {
      const gone = `${await c.namespace()}-missing`;
      await assert.rejects(c.redirect.apply(gone, { gateway: '10.219.6.1', address: '10.219.6.2' }, { first: true }), (err: Error) => {
        assert.equal(err.name, 'SystemError');
        assert.ok(err.message.startsWith(`pointing 127.0.0.11 at the embedded DNS in ${gone} failed: `), err.message);
        return true;
      });
    });
  });
}
