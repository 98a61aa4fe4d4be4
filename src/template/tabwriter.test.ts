import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlignRight, Debug, DiscardEmptyColumns, FilterHTML, TabWriter, terminalWidth, type TabWriterOptions } from './index.ts';

type Case = [name: string, minWidth: number, tabWidth: number, padding: number, padChar: string, flags: number, src: string, want: string];

// Vectors of Go's text/tabwriter tests (as kept in docker/cli's copy), without the escape cases.
const cases: Case[] = [
  ['1a', 8, 0, 1, '.', 0, '', ''],
  ['1a debug', 8, 0, 1, '.', Debug, '', ''],
  ['2', 8, 0, 1, '.', 0, '\n\n\n', '\n\n\n'],
  ['3', 8, 0, 1, '.', 0, 'a\nb\nc', 'a\nb\nc'],
  ['4a', 8, 0, 1, '.', 0, '\t', ''],
  ['4b', 8, 0, 1, '.', AlignRight, '\t', ''],
  ['5', 8, 0, 1, '.', 0, '*\t*', '*.......*'],
  ['5b', 8, 0, 1, '.', 0, '*\t*\n', '*.......*\n'],
  ['5c', 8, 0, 1, '.', 0, '*\t*\t', '*.......*'],
  ['5c debug', 8, 0, 1, '.', Debug, '*\t*\t', '*.......|*'],
  ['5d', 8, 0, 1, '.', AlignRight, '*\t*\t', '.......**'],
  ['6', 8, 0, 1, '.', 0, '\t\n', '........\n'],
  ['7a', 8, 0, 1, '.', 0, 'a) foo', 'a) foo'],
  ['7b', 8, 0, 1, ' ', 0, 'b) foo\tbar', 'b) foo  bar'],
  ['7c', 8, 0, 1, '.', 0, 'c) foo\tbar\t', 'c) foo..bar'],
  ['7d', 8, 0, 1, '.', 0, 'd) foo\tbar\n', 'd) foo..bar\n'],
  ['7e', 8, 0, 1, '.', 0, 'e) foo\tbar\t\n', 'e) foo..bar.....\n'],
  ['7f', 8, 0, 1, '.', FilterHTML, 'f) f&lt;o\t<b>bar</b>\t\n', 'f) f&lt;o..<b>bar</b>.....\n'],
  ['7g', 8, 0, 1, '.', FilterHTML, 'g) f&lt;o\t<b>bar</b>\t non-terminated entity &amp', 'g) f&lt;o..<b>bar</b>..... non-terminated entity &amp'],
  ['7g debug', 8, 0, 1, '.', FilterHTML | Debug, 'g) f&lt;o\t<b>bar</b>\t non-terminated entity &amp', 'g) f&lt;o..|<b>bar</b>.....| non-terminated entity &amp'],
  ['8', 8, 0, 1, '*', 0, 'Hello, world!\n', 'Hello, world!\n'],
  ['9a', 1, 0, 0, '.', 0, '1\t2\t3\t4\n11\t222\t3333\t44444\n', '1.2..3...4\n11222333344444\n'],
  ['9b', 1, 0, 0, '.', FilterHTML, '1\t2<!---\f--->\t3\t4\n11\t222\t3333\t44444\n', '1.2<!---\f--->..3...4\n11222333344444\n'],
  ['9c', 1, 0, 0, '.', 0, '1\t2\t3\t4\f11\t222\t3333\t44444\n', '1234\n11222333344444\n'],
  ['9c debug', 1, 0, 0, '.', Debug, '1\t2\t3\t4\f11\t222\t3333\t44444\n', '1|2|3|4\n---\n11|222|3333|44444\n'],
  ['10a', 5, 0, 0, '.', 0, '1\t2\t3\t4\n', '1....2....3....4\n'],
  ['10b', 5, 0, 0, '.', 0, '1\t2\t3\t4\t\n', '1....2....3....4....\n'],
  ['11', 8, 0, 1, '.', 0, '本\tb\tc\naa\t本本本\tcccc\tddddd\naaa\tbbbb\n', '本......b.......c\naa......本本本..cccc....ddddd\naaa.....bbbb\n'],
  ['12a', 8, 0, 1, ' ', AlignRight, 'a\tè\tc\t\naa\tèèè\tcccc\tddddd\t\naaa\tèèèè\t\n', '       a       è       c\n      aa     èèè    cccc   ddddd\n     aaa    èèèè\n'],
  ['12b', 2, 0, 0, ' ', 0, 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', 'a  b  c\naa bbbcccc\naaabbbb\n'],
  ['12c', 8, 0, 1, '_', 0, 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', 'a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n'],
  [
    '13a',
    4, 0, 1, '-', 0,
    '4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    '4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n666666-666666-666666----4444\n1------1------999999999-0000000000\n',
  ],
  [
    '13b',
    4, 0, 3, '.', 0,
    '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    '4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n666666...666666...666666......4444\n1........1........999999999...0000000000\n',
  ],
  [
    '13c',
    8, 8, 1, '\t', FilterHTML,
    '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t<font color=red attr=日本語>999999999</font>\t0000000000\n',
    '4444\t\t333\t22\t1\t333\n999999999\t22\n7\t\t22\n\t\t\t\t88888888\n\n666666\t666666\t666666\t\t4444\n1\t1\t<font color=red attr=日本語>999999999</font>\t0000000000\n',
  ],
  [
    '14',
    1, 0, 2, ' ', AlignRight,
    '.0\t.3\t2.4\t-5.1\t\n23.0\t12345678.9\t2.4\t-989.4\t\n5.1\t12.0\t2.4\t-7.0\t\n.0\t0.0\t332.0\t8908.0\t\n.0\t-.3\t456.4\t22.1\t\n.0\t1.2\t44.4\t-13.3\t\t',
    '    .0          .3    2.4    -5.1\n  23.0  12345678.9    2.4  -989.4\n   5.1        12.0    2.4    -7.0\n    .0         0.0  332.0  8908.0\n    .0         -.3  456.4    22.1\n    .0         1.2   44.4   -13.3',
  ],
  [
    '14 debug',
    1, 0, 2, ' ', AlignRight | Debug,
    '.0\t.3\t2.4\t-5.1\t\n23.0\t12345678.9\t2.4\t-989.4\t\n5.1\t12.0\t2.4\t-7.0\t\n.0\t0.0\t332.0\t8908.0\t\n.0\t-.3\t456.4\t22.1\t\n.0\t1.2\t44.4\t-13.3\t\t',
    '    .0|          .3|    2.4|    -5.1|\n  23.0|  12345678.9|    2.4|  -989.4|\n   5.1|        12.0|    2.4|    -7.0|\n    .0|         0.0|  332.0|  8908.0|\n    .0|         -.3|  456.4|    22.1|\n    .0|         1.2|   44.4|   -13.3|',
  ],
  ['15a', 4, 0, 0, '.', 0, 'a\t\tb', 'a.......b'],
  ['15b', 4, 0, 0, '.', DiscardEmptyColumns, 'a\t\tb', 'a.......b'],
  ['15c', 4, 0, 0, '.', DiscardEmptyColumns, 'a\v\vb', 'a...b'],
  ['15d', 4, 0, 0, '.', AlignRight | DiscardEmptyColumns, 'a\v\vb', '...ab'],
  ['16a', 100, 100, 0, '\t', 0, 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n', 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n'],
  ['16b', 100, 100, 0, '\t', DiscardEmptyColumns, 'a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n', 'a\tb\td\na\tb\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n'],
  ['16b debug', 100, 100, 0, '\t', DiscardEmptyColumns | Debug, 'a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n', 'a\t|b\t||d\na\t|b\t||d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n'],
  ['16c', 100, 100, 0, '\t', DiscardEmptyColumns, 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n', 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n'],
  ['16c debug', 100, 100, 0, '\t', DiscardEmptyColumns | Debug, 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n', 'a\t|b\t|\t|d\na\t|b\t|\t|d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n'],
];

function writer(c: Case): TabWriter {
  const [, minWidth, tabWidth, padding, padChar, flags] = c;
  const options: TabWriterOptions = { minWidth, tabWidth, padding, padChar, flags, cellWidth: terminalWidth };
  return new TabWriter(options);
}

test("Go's tabwriter vectors, written at once, by character and in chunks", () => {
  for (const c of cases) {
    const [name, , , , , , src, want] = c;
    let w = writer(c);
    w.write(src);
    assert.equal(w.flush(), want, `${name} (at once)`);

    w = writer(c);
    for (const ch of src) w.write(ch);
    assert.equal(w.flush(), want, `${name} (by character)`);

    for (const size of [2, 3, 7]) {
      w = writer(c);
      for (let i = 0; i < src.length; i += size) w.write(src.slice(i, i + size));
      assert.equal(w.flush(), want, `${name} (chunks of ${size})`);
    }
  }
});

test('a cell is measured in runes by default and in terminal columns for docker', () => {
  const src = '本\tb\nab\tc\n';
  const go = new TabWriter({ minWidth: 0, tabWidth: 0, padding: 1, padChar: '.' });
  go.write(src);
  assert.equal(go.flush(), '本..b\nab.c\n');
  const docker = new TabWriter({ minWidth: 0, tabWidth: 0, padding: 1, padChar: '.', cellWidth: terminalWidth });
  docker.write(src);
  assert.equal(docker.flush(), '本.b\nab.c\n');
  assert.equal(terminalWidth('abc'), 3);
  assert.equal(terminalWidth('日本'), 4);
  assert.equal(terminalWidth('e\u0301'), 1);
  assert.equal(terminalWidth('👍🏽'), 2);
  assert.equal(terminalWidth('\x1b'), 0);
});

test('only tab-terminated cells are aligned, in blocks of consecutive lines', () => {
  const w = new TabWriter({ minWidth: 0, tabWidth: 8, padding: 1, padChar: ' ' });
  // The b column is not contiguous (line 3 has no second cell), so b and c are separate blocks;
  // d and e are trailing text, never part of a column.
  w.write('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n');
  assert.equal(w.flush(), 'aaaa bbb d\naa   b   dd\na    \naa   cccc eee\n');
  const plain = new TabWriter({ minWidth: 0, tabWidth: 8, padding: 1, padChar: ' ' });
  plain.write('aa\tb\nno tab here\naaaa\tc\n');
  assert.equal(plain.flush(), 'aa b\nno tab here\naaaa c\n');
});

test('docker ps columns', () => {
  const w = new TabWriter({ minWidth: 10, tabWidth: 1, padding: 3, padChar: ' ', cellWidth: terminalWidth });
  w.write('CONTAINER ID\tIMAGE\tCOMMAND\tSTATUS\tNAMES\n');
  w.write('4c01db0b339c\tubuntu:12.04\t"bash"\tUp 16 seconds\twebapp\n');
  w.write('d7886598dbe2\tcrosbymichael/redis:latest\t"/redis-server --dir"\tUp 33 minutes\tredis,webapp/db\n');
  // Each column is as wide as its widest cell plus 3 (and at least 10); NAMES is trailing text.
  const widths = [12 + 3, 26 + 3, 21 + 3, 13 + 3];
  const line = (...cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join('');
  assert.equal(
    w.flush(),
    [
      line('CONTAINER ID', 'IMAGE', 'COMMAND', 'STATUS', 'NAMES'),
      line('4c01db0b339c', 'ubuntu:12.04', '"bash"', 'Up 16 seconds', 'webapp'),
      line('d7886598dbe2', 'crosbymichael/redis:latest', '"/redis-server --dir"', 'Up 33 minutes', 'redis,webapp/db'),
      '',
    ].join('\n'),
  );
  assert.equal(line('CONTAINER ID', 'IMAGE').length, 'CONTAINER ID   IMAGE                        '.length);
});

test('negative sizes are rejected', () => {
  assert.throws(() => new TabWriter({ minWidth: -1, tabWidth: 0, padding: 0 }), RangeError);
});
