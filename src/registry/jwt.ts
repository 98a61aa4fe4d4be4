// JSON Web Tokens for token auth, with node:crypto only (RS256/384/512, ES256/384, PS256): the
// built-in token service signs them; every token is verified against the configured trust (our
// own key, or the certificates of rootcertbundle, matched through the header's x5c chain or a
// libtrust key id as distribution's token services send them).
import { createHash, createPublicKey, createSign, createVerify, X509Certificate, type KeyObject } from 'node:crypto';

export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  x5c?: string[];
  jwk?: Record<string, unknown>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function algorithmFor(key: KeyObject): { alg: string; hash: string; ieee?: boolean } {
  if (key.asymmetricKeyType === 'rsa') return { alg: 'RS256', hash: 'sha256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return { alg: 'ES384', hash: 'sha384', ieee: true };
    if (curve === 'prime256v1') return { alg: 'ES256', hash: 'sha256', ieee: true };
  }
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType ?? '?'} (use RSA, or EC P-256/P-384)`);
}

const verifyAlgorithms: Record<string, { hash: string; ieee?: boolean; pss?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  ES256: { hash: 'sha256', ieee: true },
  ES384: { hash: 'sha384', ieee: true },
  ES512: { hash: 'sha512', ieee: true },
};

/** libtrust's key id: the SHA-256 of the DER public key, 240 bits in base32, in groups of four. */
export function libtrustKeyId(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

export function signJwt(claims: Record<string, unknown>, key: KeyObject, o: { kid?: string; x5c?: string[] } = {}): string {
  const { alg, hash, ieee } = algorithmFor(key);
  const header: JwtHeader = { typ: 'JWT', alg, ...(o.kid ? { kid: o.kid } : {}), ...(o.x5c ? { x5c: o.x5c } : {}) };
  const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign(hash).update(signing).sign(ieee ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${signing}.${b64url(signature)}`;
}

/** What a verifier trusts: public keys by libtrust key id, and root certificates for x5c chains. */
export interface TrustStore {
  keys: Map<string, KeyObject>;
  roots: X509Certificate[];
}

export function trustFromPem(pem: string): TrustStore {
  const roots = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c));
  const keys = new Map<string, KeyObject>();
  for (const c of roots) keys.set(libtrustKeyId(c.publicKey), c.publicKey);
  for (const k of pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []) {
    const key = createPublicKey(k);
    keys.set(libtrustKeyId(key), key);
  }
  return { keys, roots };
}

export class JwtError extends Error {}

/** The key that signed a token: from its x5c chain (ending at a trusted root) or its kid. */
function signingKey(header: JwtHeader, trust: TrustStore): KeyObject {
  if (header.x5c?.length) {
    const chain = header.x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64')));
    const now = Date.now();
    for (const c of chain) {
      if (Date.parse(c.validFrom) > now || Date.parse(c.validTo) < now) throw new JwtError('token signing certificate is not valid now');
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i].verify(chain[i + 1].publicKey)) throw new JwtError('token certificate chain is broken');
    }
    const last = chain[chain.length - 1];
    const trusted = trust.roots.some((r) => r.fingerprint256 === last.fingerprint256 || (last.checkIssued(r) && last.verify(r.publicKey)));
    if (!trusted) throw new JwtError('token signing certificate is not trusted');
    return chain[0].publicKey;
  }
  if (header.kid) {
    const key = trust.keys.get(header.kid);
    if (!key) throw new JwtError(`unknown token signing key ${header.kid}`);
    return key;
  }
  if (trust.keys.size === 1 && trust.roots.length === 0) return [...trust.keys.values()][0];
  throw new JwtError('token names no signing key (kid or x5c)');
}

/** Verifies the signature and returns header and claims; time and audience checks are the caller's. */
export function verifyJwt(token: string, trust: TrustStore): { header: JwtHeader; claims: Record<string, unknown> } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed token');
  let header: JwtHeader;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as JwtHeader;
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new JwtError('malformed token');
  }
  const algorithm = verifyAlgorithms[header.alg];
  if (!algorithm) throw new JwtError(`unsupported token algorithm ${JSON.stringify(header.alg)}`);
  const key = signingKey(header, trust);
  const ok = createVerify(algorithm.hash)
    .update(`${parts[0]}.${parts[1]}`)
    .verify(algorithm.ieee ? { key, dsaEncoding: 'ieee-p1363' } : algorithm.pss ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */ } : key, Buffer.from(parts[2], 'base64url'));
  if (!ok) throw new JwtError('invalid token signature');
  return { header, claims };
}
