import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDotEnv, parseEnvFileText, parseRawEnv } from './dotenv.ts';
import { lookupIn } from './interpolate.ts';

const parse = (text: string, env: Record<string, string> = {}) => {
  const out: Record<string, string> = {};
  parseDotEnv(text, out, lookupIn(env));
  return out;
};

test('.env syntax', () => {
  const text = [
    '# a comment',
    'PLAIN=value',
    'export EXPORTED=yes',
    'SPACED = around ',
    'COMMENTED=value # a comment',
    'HASH=a#b',
    "SINGLE='$PLAIN \\n'",
    'DOUBLE="$PLAIN\\tx \\$PLAIN \\"q\\""',
    'YAMLISH: colon',
    'EMPTY=',
    'MULTI="line1',
    'line2"',
    'REF=${PLAIN}-${FROM_ENV:-default}',
    'INHERITED',
    'MISSING',
    'dotted.key-1=ok',
  ].join('\n');
  assert.deepEqual(parse(text, { INHERITED: 'from shell' }), {
    PLAIN: 'value',
    EXPORTED: 'yes',
    SPACED: 'around',
    COMMENTED: 'value',
    HASH: 'a#b',
    SINGLE: '$PLAIN \\n',
    DOUBLE: 'value\tx $PLAIN "q"',
    YAMLISH: 'colon',
    EMPTY: '',
    MULTI: 'line1\nline2',
    REF: 'value-default',
    INHERITED: 'from shell',
    'dotted.key-1': 'ok',
  });
});

test('the shell environment wins in ${} references, then the file\'s own earlier keys', () => {
  assert.deepEqual(parse('A=file\nB=${A}', { A: 'shell' }), { A: 'file', B: 'shell' });
});

test('.env errors carry the line', () => {
  assert.throws(() => parse('A=1\nB C=2\n'), /line 2: key cannot contain a space/);
  assert.throws(() => parse('A=1\nB="open\n'), /line \d+: unterminated quoted value "open/);
  assert.throws(() => parse('A$=1\n'), /unexpected character "\$" in variable name "A\$=1"/);
  assert.throws(() => parse('A=${REQ:?needed}\n'), /required variable REQ is missing a value: needed/);
});

test('the raw format is docker run --env-file', () => {
  const out: Record<string, string> = {};
  parseRawEnv('# c\nA="quoted" # kept\n  B=$HOME\nC\nD\n', out, lookupIn({ C: 'from env' }));
  assert.deepEqual(out, { A: '"quoted" # kept', B: '$HOME', C: 'from env' });
  assert.throws(() => parseRawEnv('A B=1\n', {}, lookupIn({})), /variable 'A B' contains whitespaces/);
  assert.throws(() => parseEnvFileText('A=1', { filename: 'f', format: 'yaml', lookup: lookupIn({}), into: {} }), /unsupported env_file format "yaml"/);
  assert.throws(() => parseEnvFileText('A B=1', { filename: '/p/f.env', lookup: lookupIn({}), into: {} }), /failed to read \/p\/f.env: line 1: key cannot contain a space/);
});
