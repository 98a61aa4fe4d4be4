// The least a Node.js program can do for `run --rm busybox true`: the docker CLI's requests
// (create; attach and wait; start; the wait's answer) as raw HTTP/1.1 over node:net, no flag
// parsing, no command table, no node:http, nothing loaded but node:net. bench/cli times it beside
// the docker CLI: what it loses is Node's start-up, which no Node.js CLI can go below.
// Usage: BERTH_HOST=unix:///path node bench/cli-floor.cjs
'use strict';
const net = require('node:net');

const socket = (process.env.BERTH_HOST ?? '').replace(/^unix:\/\//, '');
if (!socket.startsWith('/')) throw new Error('BERTH_HOST must be unix:///path');

/**
 * One request on its own connection; resolves with { status, body } (or the socket, for an
 * upgrade). `onHeaders` is called when the answer's head has come.
 */
function request(method, path, body, { upgrade = false, onHeaders } = {}) {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    const payload = body === undefined ? '' : JSON.stringify(body);
    const head = [`${method} /v1.43${path} HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`];
    if (upgrade) head.push('Connection: Upgrade', 'Upgrade: tcp');
    c.write(`${head.join('\r\n')}\r\n\r\n${payload}`);
    let data = Buffer.alloc(0);
    c.on('error', reject);
    c.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = data.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      if (upgrade) return resolve({ status, socket: c });
      onHeaders?.(status);
      onHeaders = undefined;
      const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let rest = data.subarray(end + 4);
      if (headers['transfer-encoding'] === 'chunked') {
        // the body so far, when its last chunk (size 0) has come
        const parts = [];
        for (;;) {
          const eol = rest.indexOf('\r\n');
          if (eol < 0) return;
          const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
          if (size === 0) break;
          if (rest.length < eol + 2 + size + 2) return;
          parts.push(rest.subarray(eol + 2, eol + 2 + size));
          rest = rest.subarray(eol + 2 + size + 2);
        }
        rest = Buffer.concat(parts);
      } else if (rest.length < Number(headers['content-length'] ?? 0)) return;
      c.destroy();
      resolve({ status, body: rest.length ? JSON.parse(rest.toString('utf8')) : undefined });
    });
  });
}

(async () => {
  const created = await request('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], AttachStdout: true, AttachStderr: true, HostConfig: { AutoRemove: true } });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.Id;
  const attached = await request('POST', `/containers/${id}/attach?stream=1&stdout=1&stderr=1`, undefined, { upgrade: true });
  // the wait is in place (its head has come) before the container starts, as the docker CLI has it
  let waiting;
  const registered = new Promise((resolve) => (waiting = resolve));
  const waited = request('POST', `/containers/${id}/wait?condition=removed`, undefined, { onHeaders: waiting });
  await registered;
  const started = await request('POST', `/containers/${id}/start`);
  if (started.status !== 204) throw new Error(`start: ${started.status}`);
  const { body } = await waited;
  attached.socket.destroy();
  process.exitCode = body.StatusCode;
})();
