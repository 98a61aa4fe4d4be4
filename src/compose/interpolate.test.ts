import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateDocument, lookupIn, substitute } from './interpolate.ts';

const env = lookupIn({ SET: 'value', EMPTY: '', NESTED: 'SET', PORT: '8080' });
const sub = (t: string) => substitute(t, env);

test('the substitution forms', () => {
  assert.equal(sub('$SET ${SET}'), 'value value');
  assert.equal(sub('${UNSET:-d} ${EMPTY:-d} ${SET:-d}'), 'd d value');
  assert.equal(sub('${UNSET-d} ${EMPTY-d} ${SET-d}'), 'd  value');
  assert.equal(sub('${UNSET:+x} ${EMPTY:+x} ${SET:+x}'), '  x');
  assert.equal(sub('${UNSET+x} ${EMPTY+x} ${SET+x}'), ' x x');
  assert.equal(sub('${EMPTY?e}|${SET:?e}'), '|value');
  assert.equal(sub('$$SET $${SET} $'), '$SET ${SET} $');
  assert.equal(sub('a$1 $-x ${SET}b'), 'a$1 $-x valueb');
  assert.equal(sub('$SET_suffix'), '');
});

test('defaults nest and are substituted in turn', () => {
  assert.equal(sub('${UNSET:-${SET}}'), 'value');
  assert.equal(sub('${UNSET:-${ALSO_UNSET:-deep}}/x'), 'deep/x');
  assert.equal(sub('${UNSET:-a}${SET}'), 'avalue');
  assert.equal(sub('${UNSET:-{x}}'), '{x}');
});

test('required variables fail with compose\'s message', () => {
  assert.throws(() => sub('${UNSET:?please set UNSET}'), /^MissingRequiredError: required variable UNSET is missing a value: please set UNSET$/);
  assert.throws(() => sub('${EMPTY:?}'), /required variable EMPTY is missing a value$/);
  assert.throws(() => sub('${UNSET?err ${SET}}'), /required variable UNSET is missing a value: err value/);
});

test('invalid templates', () => {
  for (const t of ['${}', '${ SET}', '${SET', '${1}', '${SET!}', '${A B}']) assert.throws(() => sub(t), /Invalid template/, t);
});

test('unset variables warn once and become empty', () => {
  const warned: string[] = [];
  assert.equal(substitute('$A ${A} $B', lookupIn({}), { warnUnset: (n) => warned.push(n) }), '  ');
  assert.deepEqual(warned, ['A', 'A', 'B']);
});

test('documents: every string, casts where compose types the value, paths in errors', () => {
  const warnings: string[] = [];
  const doc = interpolateDocument(
    {
      services: {
        web: {
          image: 'nginx:${TAG:-latest}',
          privileged: '${PRIV}',
          read_only: 'yes',
          ports: [{ target: '${PORT}' }, '${PORT}:80'],
          deploy: { replicas: '3' },
          environment: ['A=$$literal'],
        },
      },
    },
    { lookup: lookupIn({ PRIV: 'true', PORT: '8080' }), warn: (m) => warnings.push(m) },
  );
  assert.deepEqual(doc, {
    services: {
      web: {
        image: 'nginx:latest',
        privileged: true,
        read_only: true,
        ports: [{ target: 8080 }, '8080:80'],
        deploy: { replicas: 3 },
        environment: ['A=$literal'],
      },
    },
  });
  assert.deepEqual(warnings, ['"yes" for boolean is not supported by YAML 1.2, please use `true`']);
  const fail = (d: Record<string, unknown>) => () => interpolateDocument(d, { lookup: lookupIn({}), warn: () => {} });
  assert.throws(fail({ services: { web: { image: '${TAG:?tag required}' } } }), /^InvalidArgument: error while interpolating services.web.image: required variable TAG is missing a value: tag required$/);
  assert.throws(fail({ services: { web: { image: '${TAG' } } }), /invalid interpolation format for services.web.image.\nYou may need to escape any \$ with another \$.\n\$\{TAG/);
  assert.throws(fail({ services: { web: { tty: 'maybe' } } }), /error while interpolating services.web.tty: failed to cast to expected type: invalid boolean: maybe/);
});

test('compose-go\'s own template cases', () => {
  const m = lookupIn({ FOO: 'first', BAR: '', JSON: '{"json":2}' });
  const cases: Array<[string, string]> = [
    ['$${foo}', '${foo}'],
    ['a $ string', 'a $ string'],
    ['^REGEX$', '^REGEX$'],
    ['$}', '$}'],
    ['ok ${BAR:-/non:-alphanumeric}', 'ok /non:-alphanumeric'],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok '],
    [':?ok ${BAR-defaultValue}', ':?ok '],
    ['ok ${UNSET_VAR-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR+$FOO ${FOO:+second}}', 'ok first second'],
    ['ok ${BAR?err}', 'ok '],
    ['${UNSET_VAR-myerror?msg}', 'myerror?msg'],
    ['ok ${missing:-{"json":1}}', 'ok {"json":1}'],
    ['ok ${JSON-{"json":1}}', 'ok {"json":2}'],
  ];
  for (const [template, expected] of cases) assert.equal(substitute(template, m), expected, template);
  for (const t of ['${', '${ }', '${foo }']) assert.throws(() => substitute(t, m), /Invalid template/, t);
  const warned: string[] = [];
  substitute('${FOO:-$UNSET} ${FOO:?$ALSO_UNSET}', m, { warnUnset: (n) => warned.push(n) });
  assert.deepEqual(warned, [], 'a default that is not used is not expanded');
});
