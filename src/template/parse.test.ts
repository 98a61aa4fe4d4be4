import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, parseTemplate } from './index.ts';
import { InvalidArgument } from '../errors/index.ts';

function parseError(text: string, name = ''): string {
  try {
    parseTemplate(text, { name });
  } catch (err) {
    assert.ok(err instanceof TemplateError, `not a TemplateError: ${String(err)}`);
    assert.equal(err.phase, 'parse');
    return err.message;
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
}

test('parse errors carry Go messages and line numbers', () => {
  const cases: Array<[string, string]> = [
    // Line numbers, and the line an unclosed action started at.
    ['line1\n{{', 'template: t:2: unclosed action'],
    ['line1\n{{define `x`}}line2\n{{', 'template: t:3: unclosed action'],
    ['line1\n{{"x"\n"y"\n', 'template: t:4: unclosed action started at t:2'],
    ['{{\n\n\n\n\n', 'template: t:6: unclosed action started at t:1'],
    ['line1\n{{\nx\n}}', 'template: t:3: function "x" not defined'],
    ['{{ $v := `\n` }} {{', 'template: t:2: unclosed action'],
    // Lexical errors.
    ['{{/*}}', 'template: t:1: unclosed comment'],
    ['{{/*\nhello\n}}', 'template: t:1: unclosed comment'],
    ['{{/* c */ }}', 'template: t:1: comment ends before closing delimiter'],
    ['{{.X (1 2 3}}', 'template: t:1: unclosed left paren'],
    ['{{.X 1 2 3 ) }}', 'template: t:1: unexpected right paren'],
    ['{{(.X 1 2 3', 'template: t:1: unclosed action'],
    ['{{a#}}', "template: t:1: bad character U+0023 '#'"],
    ['{{.Foo}', "template: t:1: bad character U+007D '}'"],
    ["{{'a}}", 'template: t:1: unterminated character constant'],
    ['{{"a}}', 'template: t:1: unterminated quoted string'],
    ['{{`a}}', 'template: t:1: unterminated raw quoted string'],
    ['{{0xi}}', 'template: t:1: illegal number syntax: "0xi"'],
    ['{{3k}}', 'template: t:1: bad number syntax: "3k"'],
    ['{{€}}', "template: t:1: unrecognized character in action: U+20AC '€'"],
    ['{{.X:}}', 'template: t:1: expected :='],
    // Grammar.
    ['{{ . }', 'template: t:1: unexpected "}" in operand'],
    ['{{`x`3}}', 'template: t:1: unexpected "3" in operand'],
    ['{{1.2.3}}', 'template: t:1: unexpected ".3" in operand'],
    ['{{foo}}', 'template: t:1: function "foo" not defined'],
    ['{{range .X}}', 'template: t:1: unexpected EOF'],
    ['{{if .X}}a{{else}}b{{else}}c{{end}}', 'template: t:1: expected end; found {{else}}'],
    ['{{end}}', 'template: t:1: unexpected {{end}}'],
    ['{{else}}', 'template: t:1: unexpected {{else}}'],
    ['{{if}}{{end}}', 'template: t:1: missing value for if'],
    ['{{ ( ) }}', 'template: t:1: missing value for parenthesized pipeline'],
    ['{{12|false}}', 'template: t:1: non executable command in pipeline stage 2'],
    ['{{.X | "s"}}', 'template: t:1: non executable command in pipeline stage 2'],
    ['{{true.any}}', 'template: t:1: unexpected . after term "true"'],
    ['{{nil.X}}', 'template: t:1: unexpected . after term "nil"'],
    ['{{template .X}}', 'template: t:1: unexpected ".X" in template clause'],
    ['{{template "a" | }}', 'template: t:1: unexpected "|" in template clause'],
    ['{{define "a"}}x', 'template: t:1: unexpected EOF'],
    ['{{define "a"}}a{{end}}{{define "a"}}b{{end}}', 'template: t:1: template: multiple definition of template "a"'],
    ['{{block "b"}}{{end}}', 'template: t:1: missing value for block clause'],
    // Variables.
    ['{{$a}}', 'template: t:1: undefined variable "$a"'],
    ['{{with $x := 5}}{{end}}{{$x}}', 'template: t:1: undefined variable "$x"'],
    ['{{$a,$b,$c := 23}}', 'template: t:1: too many declarations in command'],
    ['{{range $k}}{{end}}', 'template: t:1: undefined variable "$k"'],
    ['{{range $k,}}{{end}}', 'template: t:1: missing value for range'],
    ['{{range $k, $v := }}{{end}}', 'template: t:1: missing value for range'],
    ['{{range $k, .}}{{end}}', 'template: t:1: range can only initialize variables'],
    ['{{range $k, 123 := .}}{{end}}', 'template: t:1: range can only initialize variables'],
    // break and continue.
    ['{{break}}', 'template: t:1: {{break}} outside {{range}}'],
    ['{{continue}}', 'template: t:1: {{continue}} outside {{range}}'],
    ['{{range .}}{{break 1}}{{end}}', 'template: t:1: unexpected "1" in {{break}}'],
    ['{{range .}}{{define "x"}}{{end}}{{end}}', 'template: t:1: unexpected <define> in command'],
    ['{{define "x"}}{{break}}{{end}}', 'template: t:1: {{break}} outside {{range}}'],
    // Literals.
    ['{{08}}', 'template: t:1: integer overflow: 08'],
    ['{{99999999999999999999}}', 'template: t:1: integer overflow: 99999999999999999999'],
    ['{{1e400}}', 'template: t:1: illegal number syntax: "1e400"'],
    ["{{'ab'}}", "template: t:1: malformed character constant: 'ab'"],
    ['{{"\\q"}}', 'template: t:1: invalid syntax'],
    ['{{1_}}', 'template: t:1: illegal number syntax: "1_"'],
    ['{{"a very long string that is cut" 1 | x}}', 'template: t:1: function "x" not defined'],
  ];
  for (const [text, want] of cases) assert.equal(parseError(text, 't'), want, text);
});

test('long tokens are cut to ten characters in messages', () => {
  assert.equal(parseError('{{"abc" "abcdefghijklmnop"x}}'), 'template: :1: unexpected "x" in operand');
  assert.equal(parseError('{{template "abcdefghijklmnop" 1 2 | 3 }}'), 'template: :1: non executable command in pipeline stage 2');
  assert.equal(parseError('{{with 1}}{{else}}{{else}}'), 'template: :1: expected end; found {{else}}');
  assert.equal(parseError('{{.A "abcdefghijklmnop"'), 'template: :1: unclosed action');
  assert.equal(parseError('{{if 1 "abcdefghijklmnopq":= }}'), 'template: :1: unexpected ":=" in operand');
  assert.equal(parseError('{{"abcdefghijkl" := 1}}'), 'template: :1: unexpected ":=" in operand');
  assert.equal(parseError('{{template `abcdefghijklmnop` `abcdefghijklmnop`x}}'), 'template: :1: unexpected "x" in operand');
  assert.equal(parseError('{{ (1 "abcdefghijklmn") | "abcdefghijklmnop" }}'), 'template: :1: non executable command in pipeline stage 2');
  assert.equal(parseError('{{ template "x" }} {{ "abcdefghijklmnop" "abcdefghijklmnop" ( }}'), 'template: :1: unclosed left paren');
  assert.equal(parseError('{{ if "abcdefghijklmnop" }}{{ break }}{{end}}'), 'template: :1: {{break}} outside {{range}}');
  assert.equal(parseError('{{define "abcdefghijklmnop"}}{{else}}'), 'template: :1: unexpected {{else}} in define clause');
  assert.equal(parseError('{{ define "x" "abcdefghijklmnop" }}'), 'template: :1: unexpected "\\"abcdefghi"... in define clause');
});

test('a template error is an InvalidArgument with its own name', () => {
  try {
    parseTemplate('{{');
    assert.fail('parsed');
  } catch (err) {
    assert.ok(err instanceof InvalidArgument);
    assert.equal((err as Error).name, 'TemplateError');
  }
});

test('valid syntax parses', () => {
  const ok = [
    '',
    'plain text',
    '{{/* a comment */}}',
    '{{- /* a comment with trim markers */ -}}',
    '{{.}}{{.X}}{{.X.Y}}{{$}}{{$.X}}',
    '{{(.X).Y}}{{(index . 0).Y.Z}}',
    '{{$x := 1}}{{$x = 2}}{{$x}}',
    '{{range $i, $e := .}}{{$i}}{{$e}}{{end}}',
    '{{range $e := .}}{{else}}{{end}}',
    '{{range .}}{{break}}{{continue}}{{end}}',
    '{{if 1}}{{else if 2}}{{else}}{{end}}',
    '{{with 1}}{{else with 2}}{{else}}{{end}}',
    '{{define "a"}}A{{end}}{{template "a"}}{{template "a" .}}{{block "b" .}}B{{end}}',
    '{{define `raw`}}{{end}}',
    '{{print 1 1.5 1e3 0x1F 0o17 0b101 1_000 -7 +3 \'a\' "s" `r` true false nil}}',
    '{{.X | printf "%s" | len}}',
    '{{"\\u00e9\\x41\\101\\n"}}',
    '{{\n.X\n}}',
  ];
  for (const text of ok) assert.doesNotThrow(() => parseTemplate(text), text);
});

test('break and continue are functions when a template defines them', () => {
  const t = parseTemplate('{{break}}', { funcs: { break: () => 'b' } });
  assert.equal(t.execute(null), 'b');
});

test('define adds templates to the set', () => {
  const t = parseTemplate('{{define "a"}}A{{end}}{{define "b"}}B{{end}}top');
  assert.deepEqual(t.templates.sort(), ['', 'a', 'b']);
  assert.equal(t.executeTemplate('a', null), 'A');
  // An empty redefinition does not replace a template.
  assert.equal(parseTemplate('{{define "a"}}A{{end}}{{define "a"}} {{end}}{{template "a"}}').execute(null), 'A');
});
