import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
