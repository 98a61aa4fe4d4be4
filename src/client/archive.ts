// /containers/{id}/archive: stat, read and write paths in a container's file system (what `cp`
// is built on). The path's stat travels base64 JSON in X-Docker-Container-Path-Stat.
import type { ContainerPathStat } from '../types/index.ts';
import { segment } from './paths.ts';
import type { ApiResponse, Transport } from './transport.ts';

const statHeader = 'x-docker-container-path-stat';

function decodeStat(header: string | string[] | undefined): ContainerPathStat | undefined {
  if (typeof header !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ContainerPathStat;
  } catch {
    return undefined;
  }
}

export class Archive {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The path's stat (HEAD); undefined when the daemon sent none it could decode. */
  async stat(container: string, path: string): Promise<ContainerPathStat | undefined> {
    const res = await this.#t.stream('HEAD', `/containers/${segment(container)}/archive`, { query: { path } });
    res.resume();
    return decodeStat(res.headers[statHeader]);
  }

  /** The path as a tar stream, with its stat. */
  async get(container: string, path: string): Promise<{ stat: ContainerPathStat | undefined; content: ApiResponse }> {
    const res = await this.#t.stream('GET', `/containers/${segment(container)}/archive`, { query: { path } });
    return { stat: decodeStat(res.headers[statHeader]), content: res };
  }

  /** Extracts a tar stream into the directory `path`; resolves once the daemon has answered. */
  async put(container: string, path: string, content: NodeJS.ReadableStream, options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void> {
    const res = await this.#t.stream('PUT', `/containers/${segment(container)}/archive`, {
      query: { path, noOverwriteDirNonDir: options.noOverwriteDirNonDir, ...(options.copyUIDGID ? { copyUIDGID: true } : {}) },
      stream: content,
    });
    res.resume();
  }
}
