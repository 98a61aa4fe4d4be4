// Rotation, compression and reading back across the file set; the pipeline from conmon's output,
// with the test writing conmon's k8s-file records into a stream.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { silentLogger } from '../lib/index.ts';
import { ByteWriter } from './bytes.ts';
import { jsonLinesCodec, localCodec } from './codecs.ts';
import { ContainerLogger, carryPath } from './container-logger.ts';
import { encodeJsonEntry } from './json-file-format.ts';
import { encodeLocalEntry } from './local-format.ts';
import type { LogEntry, LogMessage } from './message.ts';
import { FileSetReader, type ReadOptions } from './reader.ts';
import { RotatingFile, logFileSet, type RotationPolicy } from './rotating-file.ts';
import type { LogTime } from './time.ts';

const base = mkdtempSync('/tmp/berth-logging-');
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(base, String(n++));
  mkdirSync(d);
  return d;
};

const msg = (i: number, source: 'stdout' | 'stderr' = 'stdout'): LogMessage => ({ source, time: { sec: 1_700_000_000 + i, nsec: 0 }, line: Buffer.from(`line ${i}`) });

async function writeMsgs(file: RotatingFile, msgs: LogMessage[], encode = encodeJsonEntry as (w: ByteWriter, m: LogMessage) => void): Promise<void> {
  const w = new ByteWriter(64);
  const ends: number[] = [];
  const times: LogTime[] = [];
  for (const m of msgs) {
    encode(w, m);
    ends.push(w.length);
    times.push(m.time);
  }
  await file.write(w.buf.subarray(0, w.length), ends, times);
}

async function collect(it: AsyncIterable<LogEntry[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of it) for (const e of batch) out.push(e.data.toString().trimEnd());
  return out;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('rotating file', () => {
  it('rotates before an entry once max-size is reached, shifting .1 … .N and dropping the oldest', async () => {
    const dir = freshDir();
    const path = join(dir, 'c-json.log');
    const file = new RotatingFile(path, { maxSize: 200, maxFiles: 3, compress: false });
    file.open();
    for (const i of range(0, 30)) await writeMsgs(file, [msg(i)]);
    await file.close();
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, ['c-json.log', 'c-json.log.1', 'c-json.log.2']);
    // each rotated file reached max-size with its last entry, never more than one entry over
    for (const name of ['c-json.log.1', 'c-json.log.2']) {
      const size = statSync(join(dir, name)).size;
      assert.ok(size >= 200 && size < 200 + 80, `${name}: ${size}`);
    }
    const all = await collect(new FileSetReader(jsonLinesCodec, path).read({ follow: false }));
    assert.equal(all.at(-1), 'line 29');
    assert.deepEqual(all, range(30 - all.length, 30).map((i) => `line ${i}`), 'the newest entries, in order, none missing');
  });

  it('max-file 1 truncates, as dockerd does', async () => {
    const dir = freshDir();
    const path = join(dir, 'c-json.log');
    const file = new RotatingFile(path, { maxSize: 200, maxFiles: 1, compress: false });
    file.open();
    for (const i of range(0, 10)) await writeMsgs(file, [msg(i)]);
    await file.close();
    assert.deepEqual(readdirSync(dir), ['c-json.log']);
    assert.ok(statSync(path).size < 200);
  });

  it('compresses rotated files with the last entry time in the gzip header, and reads them back', async () => {
    const dir = freshDir();
    const path = join(dir, 'c-json.log');
    const file = new RotatingFile(path, { maxSize: 300, maxFiles: 4, compress: true });
    file.open();
    for (const i of range(0, 20)) await writeMsgs(file, [msg(i)]);
    await file.close();
    assert.deepEqual(readdirSync(dir).sort(), ['c-json.log', 'c-json.log.1.gz', 'c-json.log.2.gz', 'c-json.log.3.gz']);
    const gz = readFileSync(join(dir, 'c-json.log.1.gz'));
    assert.deepEqual([...gz.subarray(0, 4)], [0x1f, 0x8b, 8, 4], 'FEXTRA set');
    assert.equal(gz[9], 0xff, "Go's OS byte");
    const xlen = gz.readUInt16LE(10);
    const extra = JSON.parse(gz.toString('utf8', 12, 12 + xlen)) as { lastTime: string };
    const lines = gunzipSync(gz).toString().trim().split('\n');
    assert.equal(extra.lastTime, (JSON.parse(lines.at(-1)!) as { time: string }).time);
    const all = await collect(new FileSetReader(jsonLinesCodec, path).read({ follow: false }));
    assert.equal(all.at(-1), 'line 19');
    assert.deepEqual(all, range(20 - all.length, 20).map((i) => `line ${i}`));
    assert.ok(all.length > 10);
    assert.deepEqual(await collect(new FileSetReader(jsonLinesCodec, path).read({ follow: false, tail: 7 })), range(13, 20).map((i) => `line ${i}`));
  });

  it('lists the set oldest first, preferring .N to a .N.gz being written', () => {
    const dir = freshDir();
    const path = join(dir, 'x.log');
    for (const f of ['x.log', 'x.log.1', 'x.log.1.gz', 'x.log.2.gz', 'x.log.10.gz', 'x.logs', 'x.log.tmp']) writeFileSync(join(dir, f), '');
    assert.deepEqual(
      logFileSet(path).map((f) => f.path.slice(dir.length + 1)),
      ['x.log.10.gz', 'x.log.2.gz', 'x.log.1', 'x.log'],
    );
  });
});

describe('reading', () => {
  const policy: RotationPolicy = { maxSize: 400, maxFiles: 5, compress: false };

  async function fixture(encode: (w: ByteWriter, m: LogMessage) => void, count: number): Promise<{ path: string; file: RotatingFile }> {
    const dir = freshDir();
    const path = join(dir, 'log');
    const file = new RotatingFile(path, policy);
    file.open();
    for (const i of range(0, count)) await writeMsgs(file, [msg(i, i % 3 ? 'stdout' : 'stderr')], encode);
    return { path, file };
  }

  for (const [name, codec, encode] of [
    ['json-file', jsonLinesCodec, encodeJsonEntry],
    ['local', localCodec, encodeLocalEntry],
  ] as const) {
    it(`${name}: --tail across files, then --since and --until, as dockerd applies them`, async () => {
      const { path, file } = await fixture(encode, 40);
      const read = (o: ReadOptions) => collect(new FileSetReader(codec, path).read(o));
      const present = await read({ follow: false });
      const first = Number(present[0].split(' ')[1]);
      assert.ok(logFileSet(path).length > 2, 'the fixture rotated');
      assert.deepEqual(present, range(first, 40).map((i) => `line ${i}`));
      assert.deepEqual(await read({ follow: false, tail: 12 }), range(28, 40).map((i) => `line ${i}`));
      assert.deepEqual(await read({ follow: false, tail: 0 }), []);
      assert.deepEqual(await read({ follow: false, tail: 1000 }), present);
      const at = (i: number): LogTime => ({ sec: 1_700_000_000 + i, nsec: 0 });
      assert.deepEqual(await read({ follow: false, since: at(35) }), range(35, 40).map((i) => `line ${i}`));
      assert.deepEqual(await read({ follow: false, until: at(first + 2) }), range(first, first + 3).map((i) => `line ${i}`));
      // --tail first, then --since: of the last 3, those not before 38
      assert.deepEqual(await read({ follow: false, tail: 3, since: at(38) }), ['line 38', 'line 39']);
      await file.close();
    });
  }

  it('--since finds its place in a large file by binary search, skipping older rotated files', async () => {
    const dir = freshDir();
    const path = join(dir, 'log');
    const file = new RotatingFile(path, { maxSize: 2_000_000, maxFiles: 3, compress: true });
    file.open();
    const batch: LogMessage[] = [];
    for (const i of range(0, 60_000)) batch.push({ source: 'stdout', time: { sec: 1_700_000_000 + Math.floor(i / 10), nsec: (i % 10) * 1000 }, line: Buffer.from(`entry ${i}`) });
    for (let i = 0; i < batch.length; i += 1000) await writeMsgs(file, batch.slice(i, i + 1000));
    const got = await collect(new FileSetReader(jsonLinesCodec, path).read({ follow: false, since: { sec: 1_700_000_000 + 5990, nsec: 5000 } }));
    assert.deepEqual(got, range(59_905, 60_000).map((i) => `entry ${i}`));
    await file.close();
  });

  it('--since finds an entry written before older ones (a long line’s last piece keeps its first piece’s time)', async () => {
    const dir = freshDir();
    const path = join(dir, 'log');
    const file = new RotatingFile(path, { maxSize: -1, maxFiles: 1, compress: false });
    file.open();
    const at = (sec: number) => ({ sec: 1_700_000_000 + sec, nsec: 0 });
    const batch: LogMessage[] = [];
    for (const i of range(0, 40_000)) {
      batch.push({ source: 'stdout', time: at(Math.floor(i / 100)), line: Buffer.from(`entry ${i}`) });
      // near the end, a newer entry among older ones
      if (i === 35_000) batch.push({ source: 'stderr', time: at(1000), line: Buffer.from('newer') });
    }
    for (let i = 0; i < batch.length; i += 1000) await writeMsgs(file, batch.slice(i, i + 1000));
    assert.deepEqual(await collect(new FileSetReader(jsonLinesCodec, path).read({ follow: false, since: at(1000) })), ['newer']);
    assert.deepEqual(await collect(new FileSetReader(jsonLinesCodec, path).read({ follow: false, since: at(399) })), ['newer', ...range(39_900, 40_000).map((i) => `entry ${i}`)]);
    await file.close();
  });

  it('--follow goes on across rotations until the writer closes, losing nothing', async () => {
    const dir = freshDir();
    const path = join(dir, 'log');
    const file = new RotatingFile(path, { maxSize: 300, maxFiles: 100, compress: true });
    file.open();
    await writeMsgs(file, [msg(0)]);
    const reading = collect(new FileSetReader(jsonLinesCodec, path, file).read({ follow: true, tail: 1 }));
    for (const i of range(1, 200)) {
      await writeMsgs(file, [msg(i)]);
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await file.close();
    assert.deepEqual(await reading, range(0, 200).map((i) => `line ${i}`));
  });

  it('--follow ends when the caller aborts', async () => {
    const dir = freshDir();
    const path = join(dir, 'log');
    const file = new RotatingFile(path, policy);
    file.open();
    await writeMsgs(file, [msg(0)]);
    const ac = new AbortController();
    const reading = collect(new FileSetReader(jsonLinesCodec, path, file).read({ follow: true }, ac.signal));
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    assert.deepEqual(await reading, ['line 0']);
    await file.close();
  });
});

describe('the pipeline from conmon\'s output', () => {
  let seq = 0;
  const record = (stream: 'stdout' | 'stderr', content: string, tag = 'F') => `2024-01-02T03:04:05.${String(seq++).padStart(9, '0')}+00:00 ${stream} ${tag} ${content}\n`;

  function jsonSink(dir: string, delayMs = 0) {
    const file = new RotatingFile(join(dir, 'c-json.log'), { maxSize: -1, maxFiles: 1, compress: false });
    file.open();
    let writing = 0;
    return {
      file,
      maxConcurrent: 0,
      async log(msgs: readonly LogMessage[]) {
        this.maxConcurrent = Math.max(this.maxConcurrent, ++writing);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        await writeMsgs(file, [...msgs]);
        writing--;
      },
      close: () => file.close(),
    };
  }

  const lines = (dir: string) =>
    readFileSync(join(dir, 'c-json.log'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { log: string }).log);

  it('writes what conmon sends, one batch at a time (the pipe waits meanwhile), then ends at its close', async () => {
    const dir = freshDir();
    const pipe = new PassThrough();
    const sink = jsonSink(dir, 2);
    const logger = new ContainerLogger({ dir, sink, log: silentLogger });
    await logger.consume(pipe);
    const big = 'y'.repeat(1000);
    for (let i = 0; i < 3000; i++) pipe.write(record(i % 2 ? 'stderr' : 'stdout', `${i} ${big}`));
    // a record cut in two by the pipe's reads, and a line left unfinished
    const last = record('stdout', 'cut in two');
    pipe.write(last.slice(0, 20));
    pipe.write(last.slice(20));
    pipe.end(record('stdout', 'unfinished', 'P'));
    await logger.finish();
    const got = lines(dir);
    assert.equal(got.length, 3002);
    assert.deepEqual(got.slice(0, 3000).map((l) => Number(l.split(' ')[0])), range(0, 3000));
    assert.deepEqual(got.slice(3000), ['cut in two\n', 'unfinished']);
    assert.equal(sink.maxConcurrent, 1, 'one write at a time: the reading waits for the driver');
    assert.ok(pipe.destroyed);
  });

  it('a berthd that stops saves the part of a record it read; the next one puts it back first', async () => {
    const dir = freshDir();
    const first = new PassThrough();
    const one = new ContainerLogger({ dir, sink: jsonSink(dir), log: silentLogger });
    await one.consume(first);
    const half = record('stdout', 'way');
    first.write(record('stdout', 'one'));
    first.write(record('stdout', 'half', 'P'));
    first.write(half.slice(0, 15));
    await new Promise((r) => setTimeout(r, 20));
    await one.detach();
    assert.ok(existsSync(carryPath(dir)));
    // the rest waited in the pipe
    const second = new PassThrough();
    second.end(half.slice(15) + record('stderr', 'two'));
    const two = new ContainerLogger({ dir, sink: jsonSink(dir), log: silentLogger });
    await two.consume(second);
    await two.finish();
    assert.deepEqual(lines(dir), ['one\n', 'half', 'way\n', 'two\n']);
    assert.ok(!existsSync(carryPath(dir)));
  });
});
