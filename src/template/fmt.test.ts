import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asStruct, float64, formatValue, parseTemplate, sprint, sprintf, sprintln } from './index.ts';

function check(cases: Array<[string, unknown[], string]>): void {
  for (const [format, args, want] of cases) assert.equal(sprintf(format, args), want, `${format} ${args.map(String).join(' ')}`);
}

test('integer verbs, flags, width and precision', () => {
  check([
    ['%d', [42], '42'],
    ['%5d|%-5d|%05d', [42, 42, 42], '   42|42   |00042'],
    ['%05d', [-42], '-0042'],
    ['%+d % d %+d', [5, 5, -5], '+5  5 -5'],
    ['%+v', [5], '5'],
    ['%x %X %#x %#X %o %#o %O %b %#b', [255, 255, 255, 255, 8, 8, 8, 5, 5], 'ff FF 0xff 0XFF 10 010 0o10 101 0b101'],
    ['%x', [-255], '-ff'],
    ['%.3d|%6.3d|%-6.3d|', [7, 7, 7], '007|   007|007   |'],
    ['%.0d|%5.0d|', [0, 0], '|     |'],
    ['%08.3d', [7], '     007'],
    ['%c %q %U %#U', [65, 65, 0x1f600, 0x263a], "A 'A' U+1F600 U+263A '☺'"],
    ['%q %+q %#q', [0x263a, 0x263a, 0x263a], "'☺' '\\u263a' '☺'"],
    ['%d', [9007199254740993n], '9007199254740993'],
  ]);
});

test('float verbs', () => {
  check([
    ['%f', [3.14159], '3.141590'],
    ['%.2f|%8.3f|%-8.3f|%08.3f', [3.14159, 3.14159, 3.14159, -3.14159], '3.14|   3.142|3.142   |-003.142'],
    ['%+.1f|% .1f', [3.14159, 3.14159], '+3.1| 3.1'],
    ['%e|%E|%.2e|%e|%e', [1234.5678, 1234.5678, 0, 1e-10, 1e100], '1.234568e+03|1.234568E+03|0.00e+00|1.000000e-10|1.000000e+100'],
    ['%+.2e', [12345.678], '+1.23e+04'],
    ['%g|%g|%g|%g', [1234.5678, 0.000001234, float64(100000), float64(1e6)], '1234.5678|1.234e-06|100000|1e+06'],
    ['%.3g|%.3g|%G|%.10g', [1234.5678, 0.0001234, 1e-7, 1 / 3], '1.23e+03|0.000123|1E-07|0.3333333333'],
    ['%v|%v|%v|%v', [0.1, float64(123456789), float64(1), -0.5], '0.1|1.23456789e+08|1|-0.5'],
    // Exact ties round to even, as Go's strconv does; 1.005 is really 1.00499999….
    ['%.0f %.0f %.0f %.1f %.2f %.1f', [0.5, 1.5, 2.5, 0.25, 1.005, 0.05], '0 2 2 0.2 1.00 0.1'],
    ['%f', [float64(1e6)], '1000000.000000'],
    ['%5.1f|%-7v|', [Infinity, -Infinity], ' +Inf|-Inf   |'],
    ['%v %f %05f %+f %+v', [NaN, NaN, Infinity, NaN, NaN], 'NaN NaN  +Inf +NaN NaN'],
    ['%#g|%#.3g|%#.0f|%#e', [1.5, 1.5, 2, 1], '1.50000|1.50|2.|1.000000e+00'],
    ['%x|%X|%.2x|%b', [1.5, 1.5, float64(1), float64(1)], '0x1.8p+00|0X1.8P+00|0x1.00p+00|4503599627370496p-52'],
    // A whole number from JSON may have been a float64: float verbs format it as one.
    ['%.2f|%e', [2, 3], '2.00|3.000000e+00'],
  ]);
});

test('string, bool and byte verbs', () => {
  check([
    ['%t %t %v %5t|', [true, false, true, true], 'true false true  true|'],
    ['%s|%5s|%-5s|%.2s|%5.1s|', ['abc', 'abc', 'abc', 'abc', 'abc'], 'abc|  abc|abc  |ab|    a|'],
    ['%.2s|%3s|', ['日本語', '日'], '日本|  日|'],
    ['%q', ['a"b\n'], '"a\\"b\\n"'],
    ['%#q|%#q', ['ab', 'a`b'], '`ab`|"a`b"'],
    ['%+q|%q|%q|%q', ['é☺', 'é\x07', '\x01', '\u00a0'], '"\\u00e9\\u263a"|"é\\a"|"\\x01"|"\\u00a0"'],
    ['%.1q', ['abc'], '"a"'],
    ['%x|% x|%#x|% #x|%X|%x', ['hi', 'hi', 'hi', 'hi', 'hi', 'é'], '6869|68 69|0x6869|0x68 0x69|6869|c3a9'],
    ['%05s|%-05s|', ['ab', 'ab'], '000ab|ab   |'],
    ['%v|%s|%x', [new Uint8Array([1, 2]), new Uint8Array([104, 105]), new Uint8Array([1, 255])], '[1 2]|hi|01ff'],
  ]);
});

test('bad verbs, missing and extra arguments', () => {
  check([
    ['%s', [5], '%!s(int=5)'],
    ['%d', ['x'], '%!d(string=x)'],
    ['%d', [true], '%!d(bool=true)'],
    ['%t', [1], '%!t(int=1)'],
    ['%z', [1], '%!z(int=1)'],
    ['%d', [null], '%!d(<nil>)'],
    ['%d', [1.5], '%!d(float64=1.5)'],
    ['%5d', ['ab'], '%!d(string=   ab)'],
    ['%d %d', [1], '1 %!d(MISSING)'],
    ['%d', [1, 2], '1%!(EXTRA int=2)'],
    ['%d', [1, 'a', null], '1%!(EXTRA string=a, <nil>)'],
    ['%', [], '%!(NOVERB)'],
    ['%5', [1], '%!(NOVERB)%!(EXTRA int=1)'],
    ['%%|%5%|', [], '%|%|'],
    ['no verbs', [], 'no verbs'],
  ]);
});

test('argument indexes and star widths', () => {
  check([
    ['%[2]d %[1]d', [1, 2], '2 1'],
    ['%[3]d', [1, 2], '%!d(BADINDEX)'],
    ['%[1]d %d', [1, 2], '1 2'],
    ['%[x]d', [1], '%!d(BADINDEX)'],
    ['%[2]*[1]d', [12, 5], '   12'],
    ['%[3]*.[2]*[1]f', [12, 2, 6], ' 12.00'],
    ['%*d|%-*d|%.*f', [5, 42, 5, 42, 2, 3.14159], '   42|42   |3.14'],
    ['%*d', [-5, 42], '42   '],
    ['%*d', ['x', 42], '%!(BADWIDTH)42'],
    ['%.*d', ['x', 42], '%!(BADPREC)42'],
  ]);
});

test('composite values', () => {
  const s = asStruct({ A: 1, B: 'x' }, 'main.T');
  check([
    ['%v|%d|%s|%q', [[1, 2], [1, 2], ['a', 'b'], ['a', 'b']], '[1 2]|[1 2]|[a b]|["a" "b"]'],
    ['%x|%s', [['hi', 'yo'], [1]], '[6869 796f]|[%!s(int=1)]'],
    ['%v|%v|%d|%5d', [{ b: 2, a: 1 }, [null, 'x'], [null], [1, 2]], 'map[a:1 b:2]|[<nil> x]|[<nil>]|[    1     2]'],
    ['%v|%+v|%#v', [s, s, s], '{1 x}|{A:1 B:x}|main.T{A:1, B:"x"}'],
    ['%#v|%#v|%#v|%#v', [[1, 2], { a: 'x' }, 's', null], '[]int{1, 2}|map[string]string{"a":"x"}|"s"|<nil>'],
    ['%v', [{ m: { z: [1], a: {} } }], 'map[m:map[a:map[] z:[1]]]'],
    ['%v', [new Map<unknown, unknown>([[10, 'a'], [9, 'b']])], 'map[9:b 10:a]'],
    ['%T %T %T %T %T %T %T %T', [1, 1.5, 's', true, null, ['a'], { a: 1 }, [1, 'a']], 'int float64 string bool <nil> []string map[string]int []interface {}'],
  ]);
});

test('Error and String methods', () => {
  const stringer = asStruct({ String: () => 'S' }, 'main.S');
  const failing = asStruct({ Error: () => 'E', String: () => 'S' }, 'main.E');
  const panicky = asStruct({ String: () => { throw new Error('boom'); } }, 'main.P');
  check([
    ['%v|%s|%q|%x|%d', [stringer, stringer, stringer, stringer, stringer], 'S|S|"S"|53|{}'],
    ['%v', [failing], 'E'],
    ['%v', [[stringer]], '[S]'],
    ['%v', [panicky], '%!v(PANIC=String method: boom)'],
  ]);
});

test('Sprint and Sprintln spacing', () => {
  assert.equal(sprint([1, 2]), '1 2');
  assert.equal(sprint(['a', 'b']), 'ab');
  assert.equal(sprint([1, 'a', 2]), '1a2');
  assert.equal(sprint([null, null]), '<nil> <nil>');
  assert.equal(sprintln([1, 'a']), '1 a\n');
  assert.equal(formatValue([1.5, float64(2), 'x', true]), '[1.5 2 x true]');
});

test('printf from a template', () => {
  const t = parseTemplate('{{printf "%-10s|%5.1f%%|%03d" .Name .CPU .N}}');
  assert.equal(t.execute({ Name: 'web', CPU: 12.345, N: 7 }), 'web       | 12.3%|007');
});
