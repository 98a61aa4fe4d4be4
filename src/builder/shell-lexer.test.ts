import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dockerfileTestdata } from '../../test/helpers/reference.ts';
import { envFromList, envFromMap, reversePattern, ShellLexer, shellPatternToRegExp } from './shell-lexer.ts';

// BuildKit's own harness reads these files line by line; this one reads them the same way.
describe('shell lexer against BuildKit fixtures', () => {
  it('expands every unix case of envVarTest', (t) => {
    const lines = readFileSync(join(dockerfileTestdata(), 'shell', 'envVarTest'), 'utf8').split('\n');
    const env = envFromList(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
    const lex = new ShellLexer('\\');
    const failures: string[] = [];
    let cases = 0;
    lines.forEach((raw, i) => {
      if (raw.startsWith('#')) return;
      const line = raw.trim();
      if (line === '') return;
      const parts = line.split('|');
      assert.equal(parts.length, 3, `line ${i + 1}`);
      const [platform, source, expected] = parts.map((p) => p.trim());
      if (platform !== 'A' && platform !== 'U') return;
      cases++;
      let got: string;
      try {
        got = lex.processWord(source, env).result;
      } catch (err) {
        if (expected !== 'error') failures.push(`line ${i + 1}: ${source} threw ${(err as Error).message}`);
        return;
      }
      if (expected === 'error') failures.push(`line ${i + 1}: ${source} gave ${JSON.stringify(got)}, expected an error`);
      else if (got !== expected) failures.push(`line ${i + 1}: ${source} gave ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    });
    t.diagnostic(`envVarTest: ${cases - failures.length}/${cases} unix cases pass`);
    assert.ok(cases > 200, `only ${cases} cases read`);
    assert.deepEqual(failures, []);
  });

  it('splits every case of wordsTest', (t) => {
    const lines = readFileSync(join(dockerfileTestdata(), 'shell', 'wordsTest'), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const envs: string[] = [];
    const lex = new ShellLexer('\\');
    const failures: string[] = [];
    let cases = 0;
    lines.forEach((line, i) => {
      if (line.startsWith('#')) return;
      if (line.startsWith('ENV ')) {
        envs.push(line.slice(3).replace(/^ +/, ''));
        return;
      }
      const parts = line.split('|');
      assert.equal(parts.length, 2, `line ${i + 1}`);
      cases++;
      const test = parts[0].trim();
      const expected = parts[1].replace(/^ +/, '').split(',');
      let got: string[];
      try {
        got = lex.processWords(test, envFromList(envs));
      } catch {
        got = ['error'];
      }
      if (JSON.stringify(got) !== JSON.stringify(expected)) failures.push(`line ${i + 1}: ${test} gave ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    });
    t.diagnostic(`wordsTest: ${cases - failures.length}/${cases} cases pass`);
    assert.ok(cases >= 24, `only ${cases} cases read`);
    assert.deepEqual(failures, []);
  });
});

describe('shell lexer', () => {
  const lex = new ShellLexer('\\');
  const word = (w: string, env: Record<string, string>) => lex.processWord(w, envFromMap(env));

  it('reports which variables matched and which were unset', () => {
    const r = word('${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' });
    assert.equal(r.result, 'xxx bbb ccc');
    assert.deepEqual([...r.matched].sort(), ['BAR', 'FOO']);
    assert.deepEqual([...r.unmatched], ['BAZ']);
    assert.equal(word('${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }).result, 'aaa bbb ');
    assert.equal(word('${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }).result, 'aaa  ');
  });

  it('?: fails with the message given, or the default one', () => {
    assert.equal(word('${VAR:?message here$ARG}', { VAR: 'plain', ARG: 'x' }).result, 'plain');
    assert.throws(() => word('${VAR:?message here$ARG}', { VAR: '', ARG: 'x' }), /VAR: message herex/);
    assert.throws(() => word('${VAR?message here$ARG}', { ARG: 'x' }), /VAR: message herex/);
    assert.equal(word('${VAR?message}', { VAR: '' }).result, '');
    assert.throws(() => word('${BAZ:?}', {}), /^LexError: failed to process "\$\{BAZ:\?\}": BAZ: is not allowed to be unset$/);
    assert.throws(() => word('${FOO=aaa}', { FOO: 'x' }), /unsupported modifier \(=\) in substitution/);
  });

  it('# and % strip the shortest or longest prefix and suffix', () => {
    assert.equal(word('${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }).result, 'x');
    assert.equal(word('${FOO%%\\**}', { FOO: 'xx**' }).result, 'xx');
    assert.equal(word('${FOO#*x*y}', { FOO: 'xxyy' }).result, 'y');
    assert.equal(word('${FOO#*}', { FOO: 'xxyy' }).result, 'xxyy');
    assert.equal(word('${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }).result, 'xyy');
    assert.equal(word('${FOO##*x}', { FOO: 'xxyy' }).result, 'yy');
    assert.equal(word('${FOO#?\\?}', { FOO: '???y' }).result, '?y');
    assert.equal(word('${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }).result, '.xxyy.');
    assert.equal(word('${FOO%%\\**\\*}', { FOO: 'a***yy*' }).result, 'a');
    assert.equal(word('${FOO%y}', { FOO: 'xxyy' }).result, 'xxy');
    assert.throws(() => word('${FOO:#}', {}), /unsupported modifier \(:#\)/);
    assert.throws(() => word('${FOO:%%}', {}), /unsupported modifier \(:%\)/);
  });

  it('/ and // replace the first or every match', () => {
    assert.equal(word('${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }).result, '/foo.*/*.txt - /foo..*.txt');
    assert.equal(word('${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }).result, '/tmp/bar.txt - /bar.txt');
    assert.equal(word('${FOO/$N/$R} - ${FOO//$N/$R}', { FOO: '/a/foo/b/c.txt', N: '/?/', R: '/' }).result, '/foo/b/c.txt - /foo/c.txt');
    assert.equal(word('${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }).result, '\\/tmp\\/foo.txt');
    assert.equal(word('${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }).result, 'wwxxyy');
    assert.equal(word('${FOO///}', { FOO: 'xxyy' }).result, 'xxyy');
    assert.throws(() => word('${FOO//ww}', { FOO: 'xxyy' }), /missing '\/' in/);
    assert.throws(() => word('${FOO//}', { FOO: 'xxyy' }), /missing '\/' in/);
  });

  it('platform args in a release file name', () => {
    const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    assert.equal(word(release, { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7' }).result, 'something-v1.2.3.linux-arm-v7.tar.gz');
    assert.equal(word(release, { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm64' }).result, 'something-v1.2.3.linux-arm64.tar.gz');
  });

  it('keeps quotes, escapes and unset variables when asked (heredoc detection)', () => {
    const raw = new ShellLexer('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    assert.deepEqual(raw.processWords(`RUN <<"EOF" cat \\$X $Y \${Z:-a}`, envFromMap({})), ['RUN', '<<"EOF"', 'cat', '\\$X', '$Y', '${Z:-a}']);
    assert.deepEqual(lex.processWords('cat << EOF > out', envFromMap({})), ['cat', '<< EOF', '>', 'out']);
  });

  it('the backtick escape token', () => {
    const tick = new ShellLexer('`');
    assert.equal(tick.processWord('C:\\dir `$X "a`"b"', envFromMap({ X: '1' })).result, 'C:\\dir $X a"b');
  });

  it('a word that is text before a substitution keeps its text when split', () => {
    assert.deepEqual(lex.processWords('hello${XXX:-a}b c', envFromMap({})), ['helloab', 'c']);
  });

  it('pattern helpers', () => {
    assert.equal(reversePattern('a\\*c'), 'c\\*a');
    assert.equal(reversePattern('\\\\\\ab'), 'b\\a\\\\');
    assert.equal(reversePattern('ab\\'), '\\ba');
    assert.equal(reversePattern('👽\\🚀🖖'), '🖖\\🚀👽');
    assert.equal(shellPatternToRegExp('*', { greedy: true, anchored: true }).source, '^[^\\n]*');
    for (const bad of ['\\', '\\x', '\\\\\\']) assert.throws(() => shellPatternToRegExp(bad, { greedy: true, anchored: true }), /invalid escape/);
  });
});
