import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, asStruct, float64, funcValue, goFunc, parseTemplate, withGoType } from './index.ts';

function data() {
  return asStruct(
    {
      True: true,
      I: 17,
      F: 1.5,
      X: 'x',
      Empty: null,
      SI: [3, 4, 5],
      SIEmpty: [],
      SS: ['a', 'b'],
      MSI: { one: 1, two: 2, three: 3 },
      MSIEmpty: {},
      Mixed: { a: 1, b: 'x' },
      SMSI: [{ one: 1 }, { two: 2 }],
      Labels: withGoType({ 'com.example': 'v' }, 'map[string]string'),
      Inner: asStruct({ Name: 'in' }, 'main.U'),
      hidden: 1,
      Method0() {
        return 'M0';
      },
      Greet(name: string) {
        return `hello ${name}`;
      },
      Fail() {
        throw new Error('boom');
      },
      Fn: funcValue((x: number) => x * 2, 'func(int) int'),
    },
    'main.T',
  );
}

function run(text: string, dot: unknown = data()): string {
  return parseTemplate(text).execute(dot);
}

function execError(text: string, dot: unknown = data(), name = ''): string {
  try {
    parseTemplate(text, { name }).execute(dot);
  } catch (err) {
    assert.ok(err instanceof TemplateError, String(err));
    assert.equal(err.phase, 'exec');
    return err.message;
  }
  assert.fail(`${text} executed`);
}

function check(cases: Array<[string, string]>, dot?: unknown): void {
  for (const [text, want] of cases) assert.equal(run(text, dot), want, text);
}

test('fields, maps and methods', () => {
  check([
    ['{{.True}}', 'true'],
    ['{{.I}}', '17'],
    ['{{.F}}', '1.5'],
    ['{{.X}}', 'x'],
    ['{{.Empty}}', '<nil>'],
    ['{{.SI}}', '[3 4 5]'],
    ['{{.SIEmpty}}', '[]'],
    ['{{.MSI}}', 'map[one:1 three:3 two:2]'],
    ['{{.MSI.one}}', '1'],
    ['{{.MSI.missing}}', '<no value>'],
    ['{{.MSI.missing.deeper}}', '<no value>'],
    ['{{.Inner.Name}}', 'in'],
    ['{{.Inner}}', '{in}'],
    ['{{.Method0}}', 'M0'],
    ['{{.Greet "bob"}}', 'hello bob'],
    ['{{.Greet .X}}', 'hello x'],
    ['{{"bob" | .Greet}}', 'hello bob'],
    ['{{(.MSI).two}}', '2'],
    ['{{(index .SMSI 1).two}}', '2'],
    ['{{with .Inner}}{{.Name}}{{end}}', 'in'],
    ['{{$.X}}', 'x'],
  ]);
});

test('a missing map key prints <no value>, an unknown struct field fails', () => {
  assert.equal(run('{{.Foo}}', { A: 1 }), '<no value>');
  assert.equal(execError('{{.Foo}}'), 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type main.T');
  // A chain reports the position of its second field.
  assert.equal(
    execError('{{.State.Foo}}', { State: asStruct({ Status: 'running' }, '*types.ContainerState') }),
    'template: :1:8: executing "" at <.State.Foo>: can\'t evaluate field Foo in type *types.ContainerState',
  );
  assert.equal(execError('line1\n{{.Inner.Nope}}'), 'template: :2:8: executing "" at <.Inner.Nope>: can\'t evaluate field Nope in type main.U');
  assert.equal(execError('é{{.Foo}}'), 'template: :1:4: executing "" at <.Foo>: can\'t evaluate field Foo in type main.T');
  assert.equal(execError('{{.Foo}}', data(), 'ps'), 'template: ps:1:2: executing "ps" at <.Foo>: can\'t evaluate field Foo in type main.T');
  assert.equal(execError('{{.X.Y}}'), 'template: :1:4: executing "" at <.X.Y>: can\'t evaluate field Y in type string');
  assert.equal(execError('{{.SI.Y}}'), 'template: :1:5: executing "" at <.SI.Y>: can\'t evaluate field Y in type []int');
  assert.equal(execError('{{.hidden}}'), 'template: :1:2: executing "" at <.hidden>: hidden is an unexported field of struct type main.T');
  assert.equal(execError('{{.Empty.X}}'), 'template: :1:8: executing "" at <.Empty.X>: nil pointer evaluating interface {}.X');
});

test('arguments to fields and methods', () => {
  assert.equal(execError('{{.X 1}}'), 'template: :1:2: executing "" at <.X>: X has arguments but cannot be invoked as function');
  assert.equal(execError('{{.MSI.one 1}}'), 'template: :1:6: executing "" at <.MSI.one>: one is not a method but has arguments');
  assert.equal(execError('{{.Greet}}'), 'template: :1:2: executing "" at <.Greet>: wrong number of args for Greet: want 1 got 0');
  assert.equal(execError('{{.Greet 1 2}}'), 'template: :1:2: executing "" at <.Greet>: wrong number of args for Greet: want 1 got 2');
  assert.equal(execError('{{.Fail}}'), 'template: :1:2: executing "" at <.Fail>: error calling Fail: boom');
  assert.equal(execError('{{1 2}}'), 'template: :1:2: executing "" at <1>: can\'t give argument to non-function 1');
  assert.equal(execError('{{$x := 1}}{{$x 2}}'), 'template: :1:13: executing "" at <$x>: can\'t give argument to non-function $x');
  assert.equal(execError('{{(1) 2}}'), 'template: :1:2: executing "" at <(1) 2>: can\'t give argument to non-function 1');
  assert.equal(execError('{{nil}}'), 'template: :1:2: executing "" at <nil>: nil is not a command');
  // A method with a declared signature checks its argument types as Go does.
  const typed = { Get: goFunc((n: number) => n + 1, ['int']) };
  assert.equal(run('{{.Get 41}}', typed), '42');
  assert.equal(execError('{{.Get "a"}}', typed), 'template: :1:7: executing "" at <"a">: expected integer; found "a"');
});

test('getters of a class are methods', () => {
  class Row {
    readonly #id = 'abc';
    get ID(): string {
      return this.#id;
    }
  }
  const row = asStruct(new Row(), '*main.Row');
  assert.equal(run('{{.ID}}', row), 'abc');
  assert.equal(execError('{{.ID 1}}', row), 'template: :1:2: executing "" at <.ID>: wrong number of args for ID: want 0 got 1');
  assert.equal(run('{{.ID}}', { get ID() { return 'own'; } }), 'own');
});

test('printing a function is an error, calling it works', () => {
  assert.equal(execError('{{.Fn}}'), 'template: :1:2: executing "" at <{{.Fn}}>: can\'t print {{.Fn}} of type func(int) int');
  assert.equal(run('{{call .Fn 21}}'), '42');
  assert.equal(execError('{{call .X}}'), 'template: :1:2: executing "" at <call .X>: error calling call: non-function .X of type string');
  assert.equal(execError('{{call .Fn}}'), 'template: :1:2: executing "" at <call .Fn>: error calling call: wrong number of args for .Fn: got 0 want 1');
});

test('missingkey options', () => {
  const t = parseTemplate('{{.A}}|{{.M.x}}|{{.S.x}}');
  const d = { A: 1, M: {}, S: withGoType({}, 'map[string]string') };
  assert.equal(t.execute(d), '1|<no value>|<no value>');
  assert.equal(t.execute(d, { missingKey: 'zero' }), '1|<no value>|');
  assert.throws(() => t.execute(d, { missingKey: 'error' }), { message: 'template: :1:11: executing "" at <.M.x>: map has no entry for key "x"' });
  assert.throws(() => parseTemplate('{{.A.B}}').execute({}, { missingKey: 'error' }), { message: 'template: :1:4: executing "" at <.A.B>: map has no entry for key "A"' });
  assert.throws(() => parseTemplate('{{.A}}').execute(null, { missingKey: 'error' }), { message: 'template: :1:2: executing "" at <.A>: nil data; no entry for key "A"' });
});

test('nil data', () => {
  assert.equal(run('{{.}}', null), '<no value>');
  assert.equal(run('{{.X}}', null), '<no value>');
  assert.equal(run('{{print .}}', null), '<nil>');
});

test('literals', () => {
  check([
    ['{{1}}', '1'],
    ['{{-5}}', '-5'],
    ['{{+5}}', '5'],
    ['{{1.0}}', '1'],
    ['{{1.5}}', '1.5'],
    ['{{1e6}}', '1e+06'],
    ['{{1e5}}', '100000'],
    ['{{1234567.0}}', '1.234567e+06'],
    ['{{0.0001}}', '0.0001'],
    ['{{0.00001}}', '1e-05'],
    ['{{0x10}}', '16'],
    ['{{0o17}}', '15'],
    ['{{017}}', '15'],
    ['{{0b101}}', '5'],
    ['{{1_000}}', '1000'],
    ['{{0x1p4}}', '16'],
    ["{{'a'}}", '97'],
    ["{{'\\n'}}", '10'],
    ["{{'é'}}", '233'],
    ['{{"a\\tb\\u00e9\\x41"}}', 'a\tbéA'],
    ['{{`raw\\n`}}', 'raw\\n'],
    ['{{true}} {{false}}', 'true false'],
    ['{{printf "%T %T %T %T" 1 1.0 \'a\' 0x1p4}}', 'int float64 int float64'],
  ]);
  assert.equal(execError('{{18446744073709551615}}'), 'template: :1:2: executing "" at <18446744073709551615>: 18446744073709551615 overflows int');
});

test('trim markers and comments', () => {
  check([
    ['a  {{- 1 -}}  b', 'a1b'],
    ['a {{-1}} b', 'a -1 b'],
    ['a {{1 -}}\n\n b', 'a 1b'],
    ['{{3 -}}\n\n x', '3x'],
    ['x\n{{- /* c */ -}}\ny', 'xy'],
    ['a{{/* c */}}b', 'ab'],
    ['a {{/* c */}} b', 'a  b'],
    ['{{- .X}}', 'x'],
    ['{{\n.X\n}}', 'x'],
    ['{{ .X }}', 'x'],
    ['\t{{- .X -}}\n', 'x'],
  ]);
});

test('if, else if, with, else with', () => {
  check([
    ['{{if .True}}T{{end}}', 'T'],
    ['{{if .SI}}nonempty{{end}}', 'nonempty'],
    ['{{if .MSIEmpty}}x{{else}}empty{{end}}', 'empty'],
    ['{{if .Empty}}x{{else}}nil{{end}}', 'nil'],
    ['{{if .MSI.missing}}x{{else}}missing{{end}}', 'missing'],
    ['{{if .Inner}}struct{{end}}', 'struct'],
    ['{{if 0}}a{{else if 0.0}}b{{else if ""}}c{{else if .SIEmpty}}d{{else}}e{{end}}', 'e'],
    ['{{if 0}}a{{else if 1}}b{{else}}c{{end}}', 'b'],
    ['{{if $x := .X}}{{$x}}{{end}}', 'x'],
    ['{{with .X}}{{.}}{{end}}', 'x'],
    ['{{with .Empty}}a{{else}}b{{end}}', 'b'],
    ['{{with $x := .X}}{{$x}}{{.}}{{end}}', 'xx'],
    ['{{with .MSIEmpty}}a{{else with .X}}{{.}}{{end}}', 'x'],
    ['{{with .MSIEmpty}}a{{else with .SIEmpty}}b{{else}}c{{end}}', 'c'],
    ['{{with .MSIEmpty}}a{{else}}{{.X}}{{end}}', 'x'],
  ]);
});

test('range over slices, maps and ints, with break and continue', () => {
  check([
    ['{{range .SI}}-{{.}}-{{end}}', '-3--4--5-'],
    ['{{range .MSI}}-{{.}}-{{end}}', '-1--3--2-'],
    ['{{range $k, $v := .MSI}}<{{$k}}={{$v}}>{{end}}', '<one=1><three=3><two=2>'],
    ['{{range $x := .SI}}<{{$x}}>{{end}}', '<3><4><5>'],
    ['{{range $i, $x := .SI}}<{{$i}}={{$x}}>{{end}}', '<0=3><1=4><2=5>'],
    ['{{range .Empty}}x{{else}}EMPTY{{end}}', 'EMPTY'],
    ['{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY'],
    ['{{range .MSIEmpty}}x{{else}}{{.X}}{{end}}', 'x'],
    ['{{range .MSI.missing}}x{{else}}none{{end}}', 'none'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{range $i := 3}}{{$i}}{{end}}', '012'],
    ['{{range 0}}x{{else}}zero{{end}}', 'zero'],
    ['{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', '3'],
    ['{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}', '35'],
    ['{{range .SI}}{{range $.SS}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}{{.}}{{end}}', 'a3a4a5'],
    ['{{range .SI}}{{$.X}}{{end}}', 'xxx'],
    ['{{range .SMSI}}{{range $k, $v := .}}{{$k}}{{$v}}{{end}}{{end}}', 'one1two2'],
  ]);
  assert.equal(execError('{{range .X}}{{end}}'), 'template: :1:8: executing "" at <.X>: range can\'t iterate over x');
  assert.equal(execError('{{range $i, $e := 3}}{{end}}'), 'template: :1:18: executing "" at <3>: can\'t use 3 to iterate over more than one variable');
});

test('variables: declaration, assignment and scope', () => {
  check([
    ['{{$x := 1}}{{$x}}', '1'],
    ['{{$x := .X}}{{$x}}{{$x = "y"}}{{$x}}', 'xy'],
    ['{{$x := 1}}{{with 2}}{{$x := 3}}{{$x}}{{end}}{{$x}}', '31'],
    ['{{$x := 1}}{{with 2}}{{$x = 3}}{{end}}{{$x}}', '3'],
    ['{{$x := 0}}{{range .SI}}{{$x = .}}{{end}}{{$x}}', '5'],
    ['{{$i := 0}}{{$e := 0}}{{range $i, $e = .SI}}{{end}}{{$i}}{{$e}}', '25'],
    ['{{$x := .MSI}}{{$x.two}}', '2'],
    ['{{$x := .}}{{with .Inner}}{{$x.X}}{{$.X}}{{.Name}}{{end}}', 'xxin'],
    ['{{$x := .MSI.missing}}{{$x}}', '<no value>'],
  ]);
  assert.equal(run('{{$}}', 7), '7');
});

test('define, template and block', () => {
  check([
    ['{{define "T"}}Hi {{.}}{{end}}{{template "T" "you"}}', 'Hi you'],
    ['{{define "T"}}{{.}}{{end}}{{template "T"}}', '<no value>'],
    ['{{define "T"}}{{$}}{{end}}{{template "T" 5}}', '5'],
    ['{{block "B" .X}}[{{.}}]{{end}}', '[x]'],
    ['{{define "L"}}{{range .}}({{.}}){{end}}{{end}}{{template "L" .SI}}', '(3)(4)(5)'],
    ['{{define "R"}}{{if .}}{{index . 0}}{{template "R" (slice . 1)}}{{end}}{{end}}{{template "R" .SI}}', '345'],
  ]);
  assert.equal(execError('{{template "nope"}}'), 'template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined');
  assert.equal(
    execError('{{define "T"}}{{.Foo}}{{end}}{{template "T" .}}'),
    'template: :1:16: executing "T" at <.Foo>: can\'t evaluate field Foo in type main.T',
  );
  assert.equal(execError('{{define "T"}}{{template "T"}}{{end}}{{template "T"}}'), 'template: :1:25: executing "T" at <{{template "T"}}>: exceeded maximum template depth (1000)');
});

test('pipelines pass their value as the last argument', () => {
  check([
    ['{{.X | printf "%s!"}}', 'x!'],
    ['{{"a" | printf "%s%s" "b"}}', 'ba'],
    ['{{3 | printf "%d"}}', '3'],
    ['{{.SI | len | printf "%d items"}}', '3 items'],
    ['{{.X | and 1}}', 'x'],
    ['{{(printf "%s" "y") | printf "%s%s" .X}}', 'xy'],
  ]);
});

test('and and or short-circuit', () => {
  check([
    ['{{and 0 (index .SI 100)}}', '0'],
    ['{{or 1 (index .SI 100)}}', '1'],
    ['{{and 1 0 2}}', '0'],
    ['{{and 1 2}}', '2'],
    ['{{or 0 "" .X}}', 'x'],
    ['{{or 0 ""}}', ''],
    ['{{and .MSI.missing 1}}', '<no value>'],
    ['{{not 0}}', 'true'],
    ['{{not .SI}}', 'false'],
    ['{{not .MSI.missing}}', 'true'],
  ]);
  assert.equal(execError('{{and}}'), 'template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0');
});

test('comparison functions', () => {
  check([
    ['{{eq 1 1}}', 'true'],
    ['{{eq 1 2 3 1}}', 'true'],
    ['{{eq 1 2 3}}', 'false'],
    ['{{eq "a" "a"}}', 'true'],
    ['{{eq .X "x"}}', 'true'],
    ['{{eq .Empty nil}}', 'true'],
    ['{{eq .MSI.missing nil}}', 'true'],
    ['{{eq .X nil}}', 'false'],
    ['{{eq .Inner .Inner}}', 'true'],
    ['{{ne 1 2}}', 'true'],
    ['{{ne "a" "a"}}', 'false'],
    ['{{lt 1 2}}', 'true'],
    ['{{lt "a" "b"}}', 'true'],
    ['{{lt "b" "a"}}', 'false'],
    ['{{le 2 2}}', 'true'],
    ['{{gt 3 2}}', 'true'],
    ['{{ge 2 3}}', 'false'],
    ['{{lt 1.5 2.5}}', 'true'],
    // JSON does not keep Go's int/float64 distinction: numbers compare by value.
    ['{{lt .F 2}}', 'true'],
    ['{{eq 2 2.0}}', 'true'],
  ]);
  const err = (t: string, msg: string) => assert.equal(execError(t), `template: :1:2: executing "" at <${t.slice(2, -2)}>: ${msg}`, t);
  err('{{eq 1 "a"}}', 'error calling eq: incompatible types for comparison');
  err('{{eq .SI .SI}}', 'error calling eq: non-comparable type [3 4 5]: []int');
  err('{{eq 1}}', 'error calling eq: missing argument for comparison');
  err('{{lt true false}}', 'error calling lt: invalid type for comparison');
  err('{{lt .SI 1}}', 'error calling lt: invalid type for comparison');
  err('{{lt 1 "a"}}', 'error calling lt: incompatible types for comparison');
  err('{{gt nil 1}}', 'error calling gt: invalid type for comparison');
});

test('index, slice and len', () => {
  check([
    ['{{index .SI 1}}', '4'],
    ['{{index .SI}}', '[3 4 5]'],
    ['{{index .MSI "two"}}', '2'],
    ['{{index .MSI "nope"}}', '0'],
    ['{{index .Labels "com.example"}}', 'v'],
    ['{{index .Labels "nope"}}', ''],
    ['{{index .MSIEmpty "nope"}}', ''],
    ['{{index .Empty "nope"}}', ''],
    ['{{index .SMSI 0 "nope"}}', '0'],
    ['{{index .Mixed "nope"}}', '<no value>'],
    ['{{index .SMSI 1 "two"}}', '2'],
    ['{{index "abc" 1}}', '98'],
    ['{{slice .SI 1}}', '[4 5]'],
    ['{{slice .SI 1 2}}', '[4]'],
    ['{{slice .SI 1 2 3}}', '[4]'],
    ['{{slice .SI}}', '[3 4 5]'],
    ['{{slice "abcde" 1 3}}', 'bc'],
    ['{{slice "abcde" 2}}', 'cde'],
    ['{{len .SI}}', '3'],
    ['{{len .MSI}}', '3'],
    ['{{len "héllo"}}', '6'],
    ['{{len .Empty}}', '0'],
  ]);
  const err = (t: string, msg: string) => assert.equal(execError(t), `template: :1:2: executing "" at <${t.slice(2, -2)}>: ${msg}`, t);
  err('{{index .SI 5}}', 'error calling index: index out of range: 5');
  err('{{index .SI -1}}', 'error calling index: index out of range: -1');
  err('{{index .SI 3}}', 'error calling index: reflect: slice index out of range');
  err('{{index .I 0}}', 'error calling index: can\'t index item of type int');
  err('{{index nil 1}}', 'error calling index: index of untyped nil');
  err('{{index .MSI.missing "a"}}', 'error calling index: index of untyped nil');
  err('{{index .Empty 0}}', 'error calling index: index of nil pointer');
  err('{{index .Mixed "nope" "x"}}', 'error calling index: index of nil pointer');
  err('{{index .MSI 1}}', 'error calling index: value has type int; should be string');
  err('{{index .SI "a"}}', 'error calling index: cannot index slice/array with type string');
  err('{{index .SI nil}}', 'error calling index: cannot index slice/array with nil');
  err('{{slice .SI 2 1}}', 'error calling slice: invalid slice index: 2 > 1');
  err('{{slice "ab" 1 2 2}}', 'error calling slice: cannot 3-index slice a string');
  err('{{slice .I}}', 'error calling slice: can\'t slice item of type int');
  err('{{slice .SI 1 2 3 4}}', 'error calling slice: too many slice indexes: 4');
  err('{{slice .SI 4}}', 'error calling slice: index out of range: 4');
  err('{{len 3}}', 'error calling len: len of type int');
  err('{{len .MSI.missing}}', 'error calling len: reflect: call of reflect.Value.Type on zero Value');
});

test('argument type checks', () => {
  assert.equal(execError('{{printf 1}}'), 'template: :1:9: executing "" at <1>: expected string; found 1');
  assert.equal(execError('{{printf .I}}'), 'template: :1:9: executing "" at <.I>: wrong type for value; expected string; got int');
  assert.equal(execError('{{printf .MSI.missing}}'), 'template: :1:13: executing "" at <.MSI.missing>: invalid value; expected string');
  assert.equal(execError('{{printf nil}}'), 'template: :1:9: executing "" at <nil>: cannot assign nil to string');
  assert.equal(execError('{{printf}}'), 'template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0');
  assert.equal(execError('{{len}}'), 'template: :1:2: executing "" at <len>: wrong number of args for len: want 1 got 0');
  assert.equal(execError('{{not 1 2}}'), 'template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 2');
  assert.equal(execError('{{.X | not 1}}'), 'template: :1:7: executing "" at <not>: wrong number of args for not: want 1 got 2');
  assert.equal(execError('{{print len}}'), 'template: :1:8: executing "" at <len>: wrong number of args for len: want 1 got 0');
});

test('print, printf, println, html, js, urlquery', () => {
  check([
    ['{{print 1 2 "a" "b" 3}}', '1 2ab3'],
    ['{{print "a" 1 2 "b"}}', 'a1 2b'],
    ['{{print nil}}', '<nil>'],
    ['{{print .MSI.missing}}', '<nil>'],
    ['{{print .SI .MSI}}', '[3 4 5] map[one:1 three:3 two:2]'],
    ['{{println 1 "a"}}', '1 a\n'],
    ['{{println}}', '\n'],
    ['{{printf "%v %v" .Empty .MSI.missing}}', '<nil> <nil>'],
    ['{{printf "%d-%s" 1 "a"}}', '1-a'],
    ['{{html "<a href=\'x\'>&\\"</a>"}}', '&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;'],
    ['{{html 1 2}}', '1 2'],
    ['{{js "It\'d be <b>\\"nice\\"</b>="}}', 'It\\\'d be \\u003Cb\\u003E\\"nice\\"\\u003C/b\\u003E\\u003D'],
    ['{{js "a\\nb\\\\"}}', 'a\\u000Ab\\\\'],
    ['{{urlquery "a b&c=d/é"}}', 'a+b%26c%3Dd%2F%C3%A9'],
    ['{{urlquery "http://www.example.org/"}}', 'http%3A%2F%2Fwww.example.org%2F'],
  ]);
});

test('functions added to a template take precedence over the built-ins', () => {
  const t = parseTemplate('{{len .}} {{double 21}}', { funcs: { len: (_: unknown) => 'mine', double: (n: number) => n * 2 } });
  assert.equal(t.execute([1, 2]), 'mine 42');
  // Replacing a function for one execution, as Go's Template.Funcs does.
  assert.equal(t.execute([1], { funcs: { double: (_: unknown) => 'x' } }), 'mine x');
});

test('an execution error keeps the output written before it', () => {
  const r = parseTemplate('a{{.X}}b{{.Nope}}c').tryExecute(data());
  assert.equal(r.text, 'axb');
  assert.match(r.error!.message, /can't evaluate field Nope/);
});

test('struct printing and float values', () => {
  const p = asStruct({ Name: 'n', Port: 80 }, '*main.P');
  assert.equal(run('{{.}}', p), '{n 80}');
  assert.equal(run('{{print .}}', p), '&{n 80}');
  assert.equal(run('{{printf "%+v" .}}', p), '&{Name:n Port:80}');
  assert.equal(run('{{.}}', float64(2)), '2');
  assert.equal(run('{{printf "%T" .}}', float64(2)), 'float64');
  assert.equal(run('{{.}}', float64(1e6)), '1e+06');
  assert.equal(run('{{.}}', 1e6), '1000000');
  const stringer = { String: () => 'str!' };
  assert.equal(run('{{.}} {{print .}} {{printf "%s|%v|%q" . . .}}', asStruct(stringer, 'main.S')), 'str! str! str!|str!|"str!"');
});
