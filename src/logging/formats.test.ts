// The on-disk formats against bytes a real dockerd 20.10 wrote for the same output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteWriter } from './bytes.ts';
import { Copier } from './copier.ts';
import { decodeJsonEntry, encodeAttrs, encodeJsonEntry } from './json-file-format.ts';
import { parseK8sLine } from './k8s-file.ts';
import { decodeLocalEntry, encodeLocalEntry } from './local-format.ts';
import type { LogMessage } from './message.ts';
import { parseRfc3339, rfc3339Nano, rfc3339NanoFixed, type LogTime } from './time.ts';

const t = (s: string): LogTime => parseRfc3339(s)!;

function jsonLine(line: string | Buffer, time: string, options: { stream?: 'stdout' | 'stderr'; partial?: boolean; attrs?: Record<string, string> } = {}): string {
  const w = new ByteWriter(16);
  let attrs: Buffer | undefined;
  if (options.attrs) {
    const a = new ByteWriter(16);
    encodeAttrs(a, options.attrs);
    attrs = a.take();
  }
  const msg: LogMessage = { source: options.stream ?? 'stdout', time: t(time), line: Buffer.isBuffer(line) ? line : Buffer.from(line, 'latin1') };
  if (options.partial) msg.partial = { id: 'x', ordinal: 1, last: false };
  encodeJsonEntry(w, msg, attrs);
  return w.take().toString('utf8');
}

describe('json-file entries', () => {
  // each expected line is what dockerd 20.10 wrote for `printf` of the same bytes
  it('escapes as dockerd: \\t as \\u0009, < > & and control bytes as \\u00XX, \\r kept short', () => {
    assert.equal(jsonLine('a\tb"c\\d<e>&f\r', '2026-12-05T22:28:40.784594525Z'), '{"log":"a\\u0009b\\"c\\\\d\\u003ce\\u003e\\u0026f\\r\\n","stream":"stdout","time":"2026-12-05T22:28:40.784594525Z"}\n');
    assert.equal(jsonLine('\x01\x1b[31mred', '2026-12-05T22:28:40.784596718Z'), '{"log":"\\u0001\\u001b[31mred\\n","stream":"stdout","time":"2026-12-05T22:28:40.784596718Z"}\n');
  });

  it('replaces bytes that are not UTF-8 with \\ufffd, escapes U+2028, keeps valid UTF-8 and a literal U+FFFD', () => {
    const bad = Buffer.from([0xff, 0xfe, ...Buffer.from(' bad utf8 '), 0xe2, 0x80, 0xa8, ...Buffer.from(' ls')]);
    assert.equal(jsonLine(bad, '2026-12-05T22:28:40.784598281Z'), '{"log":"\\ufffd\\ufffd bad utf8 \\u2028 ls\\n","stream":"stdout","time":"2026-12-05T22:28:40.784598281Z"}\n');
    const ok = Buffer.from('café \ufffd', 'utf8');
    assert.equal(jsonLine(ok, '2026-12-05T22:28:40.784600875Z'), '{"log":"café \ufffd\\n","stream":"stdout","time":"2026-12-05T22:28:40.784600875Z"}\n');
    // overlong, surrogate and truncated sequences are invalid byte by byte, as Go's DecodeRune says
    assert.match(jsonLine(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]), '2026-12-05T22:28:40Z'), /^\{"log":"(\\ufffd){7}\\n"/);
  });

  it('drops trailing zeros of the time, as RFC3339Nano does; a partial piece has no newline', () => {
    assert.equal(jsonLine('part end', '2026-12-05T22:28:40.784557720Z'), '{"log":"part end\\n","stream":"stdout","time":"2026-12-05T22:28:40.78455772Z"}\n');
    assert.equal(jsonLine('tail-no-newline', '2026-12-05T22:28:40.804448367Z', { partial: true }), '{"log":"tail-no-newline","stream":"stdout","time":"2026-12-05T22:28:40.804448367Z"}\n');
    assert.equal(jsonLine('err', '2026-12-05T22:28:40Z', { stream: 'stderr' }), '{"log":"err\\n","stream":"stderr","time":"2026-12-05T22:28:40Z"}\n');
  });

  it('writes attrs between stream and time, keys sorted, marshalled by encoding/json', () => {
    assert.equal(
      jsonLine('hi', '2026-12-05T22:29:00.605605388Z', { attrs: { tag: 'jolly_margulis/54b3cf2d6633', a: '1', b: 'two words&', FOO: 'foo', XYZ: 'q\t' } }),
      '{"log":"hi\\n","stream":"stdout","attrs":{"FOO":"foo","XYZ":"q\\t","a":"1","b":"two words\\u0026","tag":"jolly_margulis/54b3cf2d6633"},"time":"2026-12-05T22:29:00.605605388Z"}\n',
    );
  });

  it('decodes what it writes, the fast path and JSON.parse agreeing', () => {
    for (const [bytes, partial] of [
      [Buffer.from('plain'), false],
      [Buffer.from('tail'), true],
      [Buffer.from('q"uo\\te\t\r<&>'), false],
      [Buffer.from('café'), false],
      [Buffer.alloc(0), false],
    ] as const) {
      const line = jsonLine(bytes, '2024-01-02T03:04:05.5Z', { partial });
      const e = decodeJsonEntry(Buffer.from(line.slice(0, -1)))!;
      assert.equal(e.data.toString(), bytes.toString() + (partial ? '' : '\n'), line);
      assert.equal(e.stream, 'stdout');
      assert.deepEqual(e.time, t('2024-01-02T03:04:05.5Z'));
    }
    const withAttrs = decodeJsonEntry(Buffer.from('{"log":"hi\\n","stream":"stderr","attrs":{"a":"1"},"time":"2024-01-02T03:04:05Z"}'))!;
    assert.deepEqual(withAttrs.attrs, [['a', '1']]);
    assert.equal(withAttrs.stream, 'stderr');
    assert.equal(decodeJsonEntry(Buffer.from('not json')), undefined);
  });
});

describe('times', () => {
  it('parses offsets and prints UTC, trimmed for json-file and fixed for --timestamps', () => {
    const time = t('2024-01-02T03:04:05.123456789+02:00');
    assert.equal(rfc3339Nano(time), '2024-01-02T01:04:05.123456789Z');
    assert.equal(rfc3339Nano(t('2024-01-02T03:04:05.100000000+00:00')), '2024-01-02T03:04:05.1Z');
    assert.equal(rfc3339NanoFixed(t('2024-01-02T03:04:05.1Z')), '2024-01-02T03:04:05.100000000Z');
    assert.equal(rfc3339Nano(t('2024-01-02T03:04:05Z')), '2024-01-02T03:04:05Z');
    assert.equal(parseRfc3339('garbage'), undefined);
    assert.equal(parseRfc3339('2024-01-02T03:04:05.1234567891Z'), undefined);
  });
});

describe('local entries', () => {
  it('frames a protobuf LogEntry by its size before and after, as dockerd does', () => {
    // dockerd 20.10's first entry for `echo one`, and the time it recorded
    const dockerd = Buffer.from('000000170a067374646f757410f1afc589c4859ff7181a036f6e6500000017', 'hex');
    const e = decodeLocalEntry(dockerd, 4, dockerd.length - 4);
    assert.equal(e.stream, 'stdout');
    assert.equal(e.data.toString(), 'one\n');
    const w = new ByteWriter(16);
    encodeLocalEntry(w, { source: 'stdout', time: e.time, line: Buffer.from('one') });
    assert.deepEqual(w.take(), dockerd);
  });

  it('carries partial metadata; a last piece reads back with its newline, an unfinished one without', () => {
    const w = new ByteWriter(16);
    const id = 'a'.repeat(64);
    encodeLocalEntry(w, { source: 'stdout', time: { sec: 1, nsec: 0 }, line: Buffer.from('x'), partial: { id, ordinal: 1, last: false } });
    const first = w.length;
    encodeLocalEntry(w, { source: 'stdout', time: { sec: 1, nsec: 0 }, line: Buffer.from('y'), partial: { id, ordinal: 2, last: true } });
    const buf = w.take();
    // "20 01" partial, "2a 44" metadata { 12 40 <id> 18 01 }: dockerd's bytes for a first piece
    assert.ok(buf.subarray(0, first).includes(Buffer.concat([Buffer.from('2001', 'hex'), Buffer.from('2a4412', 'hex'), Buffer.from([0x40]), Buffer.from(id), Buffer.from('1801', 'hex')])));
    assert.equal(decodeLocalEntry(buf, 4, first - 4).data.toString(), 'x');
    assert.equal(decodeLocalEntry(buf, first + 4, buf.length - 4).data.toString(), 'y\n');
  });
});

describe('k8s-file records and the copier', () => {
  const rec = (line: string) => parseK8sLine(Buffer.from(line))!;

  it('parses conmon records, an empty one included', () => {
    const r = rec('2026-12-05T22:27:24.338253186+00:00 stdout P part');
    assert.equal(r.stream, 'stdout');
    assert.equal(r.partial, true);
    assert.equal(r.content.toString(), 'part');
    assert.equal(rec('2026-12-05T22:27:24.338253186+00:00 stderr F').content.length, 0);
    assert.equal(rec('2026-12-05T22:27:24.338253186+00:00 stderr F ').content.length, 0);
    assert.equal(parseK8sLine(Buffer.from('junk')), undefined);
  });

  it('joins pieces into one line, as dockerd buffers until the newline', () => {
    const c = new Copier();
    const out: LogMessage[] = [];
    c.push(rec('2026-12-05T22:27:24.000000001+00:00 stdout P part'), out);
    assert.equal(out.length, 0);
    assert.ok(c.pending('stdout'));
    c.push(rec('2026-12-05T22:27:25.000000002+00:00 stderr F err'), out);
    c.push(rec('2026-12-05T22:27:25.000000003+00:00 stdout F  end'), out);
    assert.deepEqual(
      out.map((m) => [m.source, m.line.toString(), rfc3339Nano(m.time), m.partial]),
      [
        ['stderr', 'err', '2026-12-05T22:27:25.000000002Z', undefined],
        ['stdout', 'part end', '2026-12-05T22:27:25.000000003Z', undefined],
      ],
    );
  });

  it('cuts a line at 16 KiB; the pieces and the last one share the first piece\'s time', () => {
    const c = new Copier();
    const out: LogMessage[] = [];
    // conmon's 8 KiB reads of a 40000-byte line, then a 16384-byte line and a 16383-byte one
    const x = 'x'.repeat(8192);
    for (let i = 0; i < 4; i++) c.push(rec(`2026-12-05T22:28:44.59267632${i}+00:00 stdout P ${x}`), out);
    c.push(rec(`2026-12-05T22:28:44.592676330+00:00 stdout F ${'x'.repeat(40000 - 4 * 8192)}`), out);
    c.push(rec(`2026-12-05T22:28:44.593924296+00:00 stdout F ${'y'.repeat(16384)}`), out);
    c.push(rec(`2026-12-05T22:28:44.595007081+00:00 stdout F ${'z'.repeat(16383)}`), out);
    assert.deepEqual(
      out.map((m) => [m.line.length, m.partial ? `${m.partial.ordinal}${m.partial.last ? ' last' : ''}` : '-', rfc3339Nano(m.time)]),
      [
        [16384, '1', '2026-12-05T22:28:44.592676321Z'],
        [16384, '2', '2026-12-05T22:28:44.592676321Z'],
        [7232, '3 last', '2026-12-05T22:28:44.592676321Z'],
        [16384, '1', '2026-12-05T22:28:44.593924296Z'],
        [0, '2 last', '2026-12-05T22:28:44.593924296Z'],
        [16383, '-', '2026-12-05T22:28:44.595007081Z'],
      ],
    );
    assert.equal(new Set(out.slice(0, 3).map((m) => m.partial!.id)).size, 1);
  });

  it('ends output left without a newline as an unfinished piece', () => {
    const c = new Copier();
    const out: LogMessage[] = [];
    c.push(rec('2026-12-05T22:28:40.804448367+00:00 stdout P tail-no-newline'), out);
    c.flush(out);
    assert.equal(out.length, 1);
    assert.equal(out[0].line.toString(), 'tail-no-newline');
    assert.equal(out[0].partial?.last, false);
    assert.ok(!c.pending('stdout'));
  });
});
