// The one way the API writes JSON: answers with dockerd's Content-Type and the value on one line,
// and the messages of progress streams (pull, push, import, load), one per CRLF-ended line.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A JSON answer body as dockerd writes it: the value and a newline. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** Answers `res` with `value` as JSON (and `headers`, e.g. an error answer's common ones). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(jsonText(value));
}

/** One message of a JSON progress stream. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value) + '\r\n';
}
