import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filtersParam, boolParam } from './params.ts';
import { Router } from './router.ts';

describe('router', () => {
  const r = new Router();
  const h = (name: string) => () => {
    void name;
  };
  r.get('/containers/:id/json', h('c'));
  r.get('/images/*name/json', h('i'));
  r.delete('/images/*name', h('d'));
  r.head('/_ping', h('p'));

  it('matches params and greedy image names', () => {
    const m = r.match('GET', '/containers/abc/json');
    assert.ok('handler' in m);
    assert.deepEqual(m.params, { id: 'abc' });
    const img = r.match('GET', '/images/localhost:5000/ns/app:1/json');
    assert.ok('handler' in img);
    assert.deepEqual(img.params, { name: 'localhost:5000/ns/app:1' });
    const del = r.match('DELETE', '/images/ns/app');
    assert.ok('handler' in del);
    assert.deepEqual(del.params, { name: 'ns/app' });
  });

  it('tells a wrong method from a missing path', () => {
    assert.deepEqual(r.match('POST', '/containers/abc/json'), { methodMismatch: true });
    assert.deepEqual(r.match('GET', '/nothing/here'), { methodMismatch: false });
    assert.ok('handler' in r.match('HEAD', '/containers/x/json'), 'HEAD falls back to GET');
  });
});

describe('query parameters', () => {
  it("reads booleans as dockerd's BoolValue", () => {
    const q = new URLSearchParams('a=1&b=true&c=0&d=false&e=&f=no&g=yes');
    assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'missing'].map((k) => boolParam(q, k)), [true, true, false, false, false, false, true, false]);
  });

  it('reads both filter encodings', () => {
    assert.deepEqual([...filtersParam(new URLSearchParams({ filters: '{"status":["running","paused"]}' }))], [['status', ['running', 'paused']]]);
    assert.deepEqual([...filtersParam(new URLSearchParams({ filters: '{"label":{"a=b":true,"c":false}}' }))], [['label', ['a=b']]]);
    assert.throws(() => filtersParam(new URLSearchParams({ filters: '[1]' })), /invalid filter/);
    assert.throws(() => filtersParam(new URLSearchParams({ filters: '{' })), /invalid filter/);
  });
});
