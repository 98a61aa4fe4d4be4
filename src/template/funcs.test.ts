import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, asStruct, float64, funcValue, goJson, parseTemplate } from './index.ts';

function run(text: string, dot?: unknown): string {
  return parseTemplate(text).execute(dot);
}

function execError(text: string, dot?: unknown): string {
  try {
    run(text, dot);
  } catch (err) {
    assert.ok(err instanceof TemplateError);
    return err.message;
  }
  assert.fail(`${text} executed`);
}

// The cases of docker/cli's templates_test.go.
test('docker: json, split and join', () => {
  assert.equal(run('{{json .Ports}}', { Ports: '0.0.0.0:2->8/udp' }), '"0.0.0.0:2->8/udp"');
  assert.equal(run('{{join (split . ":") "/"}}', 'text:with:colon'), 'text/with/colon');
  assert.equal(run('this is a {{ . }}', 'string'), 'this is a string');
});

test('docker: truncate and pad', () => {
  const source = 'tupx5xzf6hvsrhnruz5cr8gwp';
  const cases: Array<[string, string]> = [
    ['{{truncate . 5}}', 'tupx5'],
    ['{{truncate . 25}}', 'tupx5xzf6hvsrhnruz5cr8gwp'],
    ['{{truncate . 30}}', 'tupx5xzf6hvsrhnruz5cr8gwp'],
    ['{{pad . 3 3}}', '   tupx5xzf6hvsrhnruz5cr8gwp   '],
  ];
  for (const [text, want] of cases) {
    assert.equal(run(text, source), want, text);
    assert.equal(run(text, ''), '', `${text} on ""`);
    assert.match(execError(text, null), /invalid value; expected string/, `${text} on nil`);
  }
  assert.equal(run('{{pad .S 1 0}}|{{pad .E 1 0}}|', { S: 'x', E: '' }), ' x||');
  // truncate counts bytes, as Go slices strings.
  assert.equal(run('{{truncate . 3}}', 'aé日'), 'aé');
  assert.equal(execError('{{truncate . -1}}', 'abc'), 'template: :1:2: executing "" at <truncate . -1>: error calling truncate: runtime error: slice bounds out of range [:-1]');
  assert.equal(execError('{{pad . -1 0}}', 'abc'), 'template: :1:2: executing "" at <pad . -1 0>: error calling pad: strings: negative Repeat count');
  assert.equal(execError('{{truncate . "5"}}', 'abc'), 'template: :1:13: executing "" at <"5">: expected integer; found "5"');
  assert.equal(execError('{{.S | truncate 5}}', { S: 'abc' }), 'template: :1:16: executing "" at <5>: expected string; found 5');
  assert.equal(execError('{{truncate .N 5}}', { N: 3 }), 'template: :1:11: executing "" at <.N>: wrong type for value; expected string; got int');
});

test('docker: title, lower, upper', () => {
  assert.equal(run('{{title .}}', 'hello wORLD o\'neil foo-bar_baz'), "Hello WORLD O'Neil Foo-Bar_baz");
  assert.equal(run('{{lower .}}', 'ÀBC Straße'), 'àbc straße');
  assert.equal(run('{{upper .}}', 'àbc straße'), 'ÀBC STRAßE');
  assert.equal(run('{{.Name | upper}}', { Name: 'web' }), 'WEB');
});

test('docker: split and join', () => {
  assert.equal(run('{{split . ","}}', 'a,b,c'), '[a b c]');
  assert.equal(run('{{len (split . ",")}}', ''), '1');
  assert.equal(run('{{split . ""}}', 'aé'), '[a é]');
  assert.equal(run('{{index (split . "/") 1}}', 'a/b/c'), 'b');
  assert.equal(run('{{join . ", "}}', ['a', 'b']), 'a, b');
  assert.equal(run('{{join . ","}}', [1, 2.5, true]), '1,2.5,true');
  assert.equal(run('{{join .Env " "}}', { Env: null }), '');
  assert.equal(execError('{{join . ","}}', 'abc'), 'template: :1:7: executing "" at <.>: wrong type for value; expected []string; got string');
  assert.equal(execError('{{join .}}', ['a']), 'template: :1:2: executing "" at <join>: wrong number of args for join: want 2 got 1');
});

test('docker: json', () => {
  const cases: Array<[unknown, string]> = [
    [{ a: '<b>&', c: [1, 2.5, null], d: { z: 1, a: 2 } }, '{"a":"<b>&","c":[1,2.5,null],"d":{"z":1,"a":2}}'],
    ['x\u2028y\u2029', '"x\\u2028y\\u2029"'],
    ['tab\tnl\ncr\rbs\\q"\b\f\x01\x7f', '"tab\\tnl\\ncr\\rbs\\\\q\\"\\b\\f\\u0001\x7f"'],
    ['é日😀', '"é日😀"'],
    ['\ud800', '"\\ufffd"'],
    [null, 'null'],
    [[], '[]'],
    [{}, '{}'],
    [true, 'true'],
    [float64(1), '1'],
    [1e-7, '1e-7'],
    [1.5e300, '1.5e+300'],
    [123456789012, '123456789012'],
    [new Uint8Array([104, 105]), '"aGk="'],
    [new Map<unknown, unknown>([['b', 1], ['a', 2]]), '{"a":2,"b":1}'],
    [{ toJSON: () => ({ x: 1 }) }, '{"x":1}'],
    [asStruct({ Name: 'n', Method() {} }, 'main.T'), '{"Name":"n"}'],
  ];
  for (const [v, want] of cases) {
    assert.equal(goJson(v), want);
    assert.equal(run('{{json .}}', v), want);
  }
  assert.equal(run('{{json .Missing}}', {}), 'null');
  assert.equal(execError('{{json .}}', NaN), 'template: :1:2: executing "" at <json .>: error calling json: json: unsupported value: NaN');
  assert.equal(execError('{{json .F}}', { F: funcValue(() => 1) }), 'template: :1:2: executing "" at <json .F>: error calling json: json: unsupported type: func()');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => goJson(cyclic), /encountered a cycle/);
});

test('docker functions can be left out for a plain Go template', () => {
  assert.throws(() => parseTemplate('{{json .}}', { docker: false }), /function "json" not defined/);
  assert.equal(parseTemplate('{{len .}}', { docker: false }).execute([1]), '1');
});
