import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { q, readQuery } from './query.ts';

const read = (spec: Parameters<typeof readQuery>[0], qs: string) => readQuery(spec, new URLSearchParams(qs));

describe('query parameters', () => {
  it("reads booleans as dockerd's BoolValue", () => {
    const spec = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'missing'].map((k) => [k, q.bool()]));
    assert.deepEqual(Object.values(read(spec, 'a=1&b=true&c=0&d=false&e=&f=no&g=yes')), [true, true, false, false, false, false, true, false]);
    assert.equal(read({ quiet: q.bool(true) }, '').quiet, true);
  });

  it("reads integers as strconv.Atoi does, with its messages and the parameter's name", () => {
    assert.deepEqual(read({ t: q.int() }, 't=-5'), { t: -5 });
    assert.deepEqual(read({ t: q.int() }, 't='), { t: undefined });
    assert.throws(() => read({ t: q.int() }, 't=abc'), /^InvalidArgument: invalid value for t: strconv.Atoi: parsing "abc": invalid syntax$/);
    assert.throws(() => read({ t: q.int() }, 't=1.5'), /invalid syntax/);
    assert.throws(() => read({ t: q.int() }, 't=-99999999999999999999'), /^InvalidArgument: invalid value for t: strconv.Atoi: parsing "-99999999999999999999": value out of range$/);
    assert.deepEqual(read({ t: q.int() }, 't=9223372036854775807'), { t: 2 ** 63 });
    assert.throws(() => read({ h: q.int({ min: 0, max: 65535 }) }, 'h=70000'), /^InvalidArgument: invalid value for h: 70000 is out of range \[0, 65535\]$/);
  });

  it('refuses NUL bytes in strings, repeated values and filters', () => {
    assert.throws(() => read({ path: q.string() }, 'path=/etc%00x'), /^InvalidArgument: invalid value for path: must not contain a NUL byte$/);
    assert.throws(() => read({ changes: q.strings() }, 'changes=ENV%20a&changes=x%00'), /invalid value for changes: must not contain a NUL byte/);
    assert.throws(() => read({ filters: q.filters() }, `filters=${encodeURIComponent('{"name":["a\\u0000"]}')}`), /invalid value for filters/);
    assert.deepEqual(read({ changes: q.strings(), name: q.string() }, 'changes=a&changes=b'), { changes: ['a', 'b'], name: undefined });
  });

  it('applies a string check with its own message', () => {
    const spec = { condition: q.string({ check: (v) => (['a', 'b'].includes(v) ? undefined : `invalid condition: "${v}"`) }) };
    assert.throws(() => read(spec, 'condition=c'), /^InvalidArgument: invalid condition: "c"$/);
    assert.throws(() => read({ name: q.string({ max: 3 }) }, 'name=abcd'), /longer than 3 characters/);
  });

  it('reads both filter encodings and refuses other shapes', () => {
    const filters = (json: string) => [...readQuery({ filters: q.filters() }, new URLSearchParams({ filters: json })).filters];
    assert.deepEqual(filters('{"status":["running","paused"]}'), [['status', ['running', 'paused']]]);
    assert.deepEqual(filters('{"label":{"a=b":true,"c":false}}'), [['label', ['a=b']]]);
    for (const bad of ['[1]', '{', '{"status":[5]}', '{"label":{"a":1}}', '5']) {
      assert.throws(() => read({ filters: q.filters() }, `filters=${encodeURIComponent(bad)}`), /invalid filter/, bad);
    }
  });
});
