import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { BodyTooLarge, JsonDepthScanner, maxJsonDepth, parseJsonBody, readJsonBody } from './body.ts';

describe('request body guards', () => {
  it('refuses deep nesting before JSON.parse sees it, also when split across chunks', () => {
    const scanner = new JsonDepthScanner(3);
    scanner.push(Buffer.from('{"a":[{'));
    assert.throws(() => scanner.push(Buffer.from('"b":[')), /invalid JSON: invalid character '\[' exceeded max depth of 3/);
    const deep = Buffer.from('['.repeat(40_000));
    assert.throws(() => new JsonDepthScanner().push(deep), /exceeded max depth of 100/);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const scanner = new JsonDepthScanner(2);
    scanner.push(Buffer.from('{"a":"[[[[\\"[[[[", "b":['));
    scanner.push(Buffer.from('"{{{{"]}'));
  });

  it('accepts the nesting of real bodies and closes what it opened', () => {
    const body = JSON.stringify({ HostConfig: { Mounts: [{ VolumeOptions: { DriverConfig: { Options: { a: 'b' } } } }] } });
    const scanner = new JsonDepthScanner(7);
    scanner.push(Buffer.from(body));
    scanner.push(Buffer.from(body));
    assert.ok(maxJsonDepth >= 10);
  });

  it('limits the size, and reads a refused body to its end unless it is huge', async () => {
    await assert.rejects(readJsonBody(Readable.from([Buffer.from('{}')]), { contentLength: String(100 * 1024 * 1024) }), (err: BodyTooLarge) => err.unread && /request body is too large: the limit is 4194304 bytes/.test(err.message));
    let read = 0;
    const chunks = function* () {
      for (let i = 0; i < 4; i++) {
        read++;
        yield Buffer.alloc(600, 0x20);
      }
    };
    await assert.rejects(readJsonBody(Readable.from(chunks()), { limit: 1000 }), (err: BodyTooLarge) => !err.unread && /too large/.test(err.message));
    assert.equal(read, 4, 'the rest of the body was read, not left on the connection');
    await assert.rejects(readJsonBody(Readable.from([Buffer.from('['.repeat(200)), Buffer.from(']'.repeat(200))])), /exceeded max depth/);
    assert.equal((await readJsonBody(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]))).toString(), '{"a":1}');
  });

  it('reads an empty body and null as no body, and names a syntax error', () => {
    assert.equal(parseJsonBody(Buffer.from('')), undefined);
    assert.equal(parseJsonBody(Buffer.from(' null ')), undefined);
    assert.deepEqual(parseJsonBody(Buffer.from('{"a":[1]}')), { a: [1] });
    assert.throws(() => parseJsonBody(Buffer.from('{"a":')), /^InvalidArgument: invalid JSON: /);
  });
});
