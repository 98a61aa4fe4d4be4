// The little of RFC 1035 the embedded resolver needs: read a query's header and first question,
// and write an answer with A records (or none). Anything it does not answer is forwarded as the
// raw packet, so no other record type needs decoding.

export const typeA = 1;
export const typeAAAA = 28;

export interface DnsQuery {
  id: number;
  flags: number;
  name: string;
  type: number;
  class: number;
  /** Offset just past the first question, where answers go. */
  questionEnd: number;
}

/** The first question of a query; undefined for anything malformed or not a standard query. */
export function parseQuery(msg: Buffer): DnsQuery | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response
  if ((flags >> 11) & 0xf) return undefined; // not QUERY
  if (msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off];
    if (len === 0) {
      off++;
      break;
    }
    if (len & 0xc0 || off + 1 + len > msg.length) return undefined; // no compression in a question
    labels.push(msg.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return undefined;
  return { id: msg.readUInt16BE(0), flags, name: labels.join('.'), type: msg.readUInt16BE(off), class: msg.readUInt16BE(off + 2), questionEnd: off + 4 };
}

/**
 * The answer to `query` (whose raw bytes are `msg`): the question echoed, then one A record per
 * address. rcode 0 with no addresses is "no data" (what an AAAA query for a known name gets).
 */
export function buildAnswer(msg: Buffer, query: DnsQuery, addresses: readonly string[], options: { rcode?: number; ttl?: number } = {}): Buffer {
  const question = msg.subarray(12, query.questionEnd);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR, opcode 0, AA, RD copied, RA; rcode
  header.writeUInt16BE(0x8000 | 0x0400 | (query.flags & 0x0100) | 0x0080 | ((options.rcode ?? 0) & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // a pointer to the name in the question
    rr.writeUInt16BE(typeA, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(options.ttl ?? 600, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((b, i) => rr.writeUInt8(Number(b), 12 + i));
    return rr;
  });
  return Buffer.concat([header, question, ...answers]);
}
