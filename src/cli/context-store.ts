// The context store, in the docker CLI's layout under the client's config directory, so the
// files of one are the files of the other:
//   contexts/meta/<sha256 of the name>/meta.json        {"Name","Metadata","Endpoints":{"docker":{"Host","SkipTLSVerify"}}}
//   contexts/tls/<sha256 of the name>/docker/{ca,cert,key}.pem
// The "default" context is not stored: it is the host and TLS settings of the flags and the
// environment (BERTH_HOST, BERTH_TLS_VERIFY, BERTH_CERT_PATH).
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const defaultContextName = 'default';

/** The endpoint a context names: where its daemon listens, and how its certificate is checked. */
export interface DockerEndpointMeta {
  Host: string;
  SkipTLSVerify: boolean;
}

/** A context's meta.json, as docker writes it. */
export interface ContextMeta {
  Name: string;
  Metadata: { Description?: string; [key: string]: unknown };
  Endpoints: { docker?: DockerEndpointMeta; [endpoint: string]: unknown };
}

export type TlsFile = 'ca.pem' | 'cert.pem' | 'key.pem';
export const tlsFiles: readonly TlsFile[] = ['ca.pem', 'cert.pem', 'key.pem'];

/** A context that cannot be found, in docker's words. */
export class ContextNotFound extends Error {}

/** docker's rule for context names (and "default" is taken). */
export const contextNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;

function sha256(text: string): string {
  // node:crypto only for the commands that name a context (most use the default one)
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('hex');
}

export class ContextStore {
  readonly root: string;

  constructor(configDir: string) {
    this.root = join(configDir, 'contexts');
  }

  metaDir(name: string): string {
    return join(this.root, 'meta', sha256(name));
  }

  tlsDir(name: string): string {
    return join(this.root, 'tls', sha256(name));
  }

  /** The context's meta.json; ContextNotFound with docker's message when there is none. */
  read(name: string): ContextMeta {
    const file = join(this.metaDir(name), 'meta.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ContextNotFound(`context "${name}": context not found: open ${file}: no such file or directory`);
      throw err;
    }
    const meta = JSON.parse(text) as ContextMeta;
    meta.Metadata ??= {};
    meta.Endpoints ??= {};
    return meta;
  }

  exists(name: string): boolean {
    return existsSync(join(this.metaDir(name), 'meta.json'));
  }

  /** Every stored context, by name. A directory without a readable meta.json is left out. */
  list(): ContextMeta[] {
    const dir = join(this.root, 'meta');
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return [];
    }
    const out: ContextMeta[] = [];
    for (const e of entries) {
      try {
        out.push(JSON.parse(readFileSync(join(dir, e, 'meta.json'), 'utf8')) as ContextMeta);
      } catch {
        // not a context
      }
    }
    return out.sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** The TLS files the context has, by name (ca.pem, cert.pem, key.pem). */
  tlsFiles(name: string): TlsFile[] {
    const dir = join(this.tlsDir(name), 'docker');
    return tlsFiles.filter((f) => existsSync(join(dir, f)));
  }

  tlsPath(name: string, file: TlsFile): string {
    return join(this.tlsDir(name), 'docker', file);
  }

  /**
   * Writes a context whole: meta.json atomically, and its TLS material, which replaces what the
   * context had (material not given is removed). A name already stored is overwritten. Async:
   * the atomic writer (and its node:crypto) loads here, not for every command that reads contexts.
   */
  async write(meta: ContextMeta, tls: Partial<Record<TlsFile, Buffer>> = {}): Promise<void> {
    const { writeFileAtomicSync } = await import('../lib/index.ts');
    const metaDir = this.metaDir(meta.Name);
    mkdirSync(metaDir, { recursive: true, mode: 0o755 });
    const tlsDir = this.tlsDir(meta.Name);
    rmSync(tlsDir, { recursive: true, force: true });
    const files = Object.entries(tls).filter(([, v]) => v !== undefined) as Array<[TlsFile, Buffer]>;
    if (files.length) {
      // The material goes in whole or not at all: written aside, then renamed into place.
      const staging = `${tlsDir}.new-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(join(staging, 'docker'), { recursive: true, mode: 0o700 });
      for (const [f, data] of files) writeFileSync(join(staging, 'docker', f), data, { mode: 0o600 });
      renameSync(staging, tlsDir);
    }
    writeFileAtomicSync(join(metaDir, 'meta.json'), JSON.stringify(meta), { mode: 0o644 });
  }

  remove(name: string): void {
    rmSync(this.metaDir(name), { recursive: true, force: true });
    rmSync(this.tlsDir(name), { recursive: true, force: true });
  }
}
