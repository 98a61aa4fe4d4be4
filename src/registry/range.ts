// Byte ranges: the Content-Range of a chunked upload (the spec's "<start>-<end>", inclusive, also
// accepted in the RFC 9110 form "bytes <start>-<end>/<total>"), the Range reply that tells a
// client how much of its upload the registry holds, and the Range request of a blob GET.
import { apiError } from './errors.ts';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

const uploadRangeRe = /^(?:bytes\s+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/;

/** A PATCH chunk's Content-Range; undefined when absent (a streamed chunk). */
export function parseUploadRange(value: string | undefined): ByteRange | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = uploadRangeRe.exec(value.trim());
  if (!m) throw apiError('RANGE_INVALID', { message: `invalid content range "${value}"` });
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) throw apiError('RANGE_INVALID', { message: `invalid content range "${value}"` });
  return { start, end };
}

/** The Range header of an upload reply: what the registry holds, "0-<last byte>" (distribution's "0-0" when empty). */
export function uploadRangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

/**
 * A blob GET's Range against a blob of `size` bytes: undefined to send the whole blob (no header,
 * or one we do not serve partially, as RFC 9110 allows: several ranges), or the one range;
 * throws RANGE_INVALID (416) when it cannot be satisfied.
 */
export function parseRequestRange(value: string | undefined, size: number): ByteRange | undefined {
  if (!value) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(value.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) throw unsatisfiable(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return undefined;
  }
  if (start >= size) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number) {
  return apiError('RANGE_INVALID', { message: 'requested range not satisfiable', headers: { 'Content-Range': `bytes */${size}` } });
}
