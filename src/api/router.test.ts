import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allRoutes } from './all-routes.test-support.ts';
import { Router } from './router.ts';

describe('router', () => {
  const r = new Router();
  const none = { query: {}, body: 'none' } as const;
  const h = () => {};
  r.get('/containers/:id/json', none, h);
  r.get('/images/*name/json', none, h);
  r.delete('/images/*name', none, h);
  r.head('/_ping', none, h);

  it('matches params and greedy image names', () => {
    const m = r.match('GET', '/containers/abc/json');
    assert.ok('route' in m);
    assert.deepEqual(m.params, { id: 'abc' });
    const img = r.match('GET', '/images/localhost:5000/ns/app:1/json');
    assert.ok('route' in img);
    assert.deepEqual(img.params, { name: 'localhost:5000/ns/app:1' });
    const del = r.match('DELETE', '/images/ns/app');
    assert.ok('route' in del);
    assert.deepEqual(del.params, { name: 'ns/app' });
  });

  it('tells a wrong method from a missing path', () => {
    assert.deepEqual(r.match('POST', '/containers/abc/json'), { methodMismatch: true });
    assert.deepEqual(r.match('GET', '/nothing/here'), { methodMismatch: false });
    assert.ok('route' in r.match('HEAD', '/containers/x/json'), 'HEAD falls back to GET');
  });
});

describe('every route berthd serves', () => {
  const routes = allRoutes().routes();

  it('is registered (the register functions were all found)', () => {
    assert.ok(routes.length >= 50, `only ${routes.length} routes`);
    for (const path of ['/containers/create', '/exec/:id/start', '/networks/create', '/volumes/create', '/auth', '/images/create', '/commit']) {
      assert.ok(routes.some((r) => r.path === path), path);
    }
  });

  it('declares its query parameters and its body', () => {
    for (const r of routes) {
      const where = `${r.method} ${r.path}`;
      assert.equal(typeof r.spec.query, 'object', `${where}: query`);
      for (const [name, param] of Object.entries(r.spec.query)) {
        assert.equal(typeof param.read, 'function', `${where}: query ${name}`);
        assert.ok(['boolean', 'integer', 'string', 'array', 'object'].includes(param.type), `${where}: query ${name}`);
      }
      const body = r.spec.body;
      assert.ok(body === 'none' || body === 'stream' || (typeof body === 'object' && body !== null), `${where}: body`);
      assert.equal(typeof body === 'object', r.decodeBody !== undefined, `${where}: a JSON body has its decoder`);
    }
  });

  it('refuses a JSON body of the wrong shape on every route that takes one', () => {
    for (const r of routes.filter((x) => x.decodeBody)) {
      assert.throws(() => r.decodeBody!([1, 2]), /^InvalidArgument: json: cannot unmarshal array into Go value of type /, `${r.method} ${r.path}`);
      assert.doesNotThrow(() => r.decodeBody!({}), `${r.method} ${r.path}: an empty object is a valid body`);
    }
  });
});
