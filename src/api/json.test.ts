import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { jsonLine, jsonText, sendJson } from './json.ts';

describe('JSON answers', () => {
  it("sends dockerd's Content-Type and the value on one line, after any given headers", () => {
    const sent: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
    const res = {
      writeHead(status: number, headers: Record<string, unknown>) {
        Object.assign(sent, { status, headers });
        return this;
      },
      end(body: string) {
        sent.body = body;
      },
    } as unknown as ServerResponse;
    sendJson(res, 404, { message: 'No such container: x' }, { 'Api-Version': '1.43', 'Content-Type': 'text/plain' });
    assert.deepEqual(sent, { status: 404, headers: { 'Api-Version': '1.43', 'Content-Type': 'application/json' }, body: '{"message":"No such container: x"}\n' });
  });

  it('ends an answer with LF and a progress message with CRLF, as dockerd does', () => {
    assert.equal(jsonText([1]), '[1]\n');
    assert.equal(jsonLine({ status: 'Pulling' }), '{"status":"Pulling"}\r\n');
  });
});
