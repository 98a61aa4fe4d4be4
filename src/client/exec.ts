// /containers/{id}/exec and /exec/*: processes started in a running container.
import type { Duplex } from 'node:stream';
import type { ExecConfig, ExecInspect, ExecStartConfig } from '../types/index.ts';
import { segment } from './paths.ts';
import type { Transport } from './transport.ts';

export class Exec {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  create(container: string, config: ExecConfig): Promise<{ Id: string }> {
    return this.#t.post(`/containers/${segment(container)}/exec`, { body: config });
  }

  /** Starts a detached exec (`Detach: true`): nothing to read back. */
  async start(id: string, config: ExecStartConfig): Promise<void> {
    await this.#t.post(`/exec/${segment(id)}/start`, { body: config });
  }

  /** Starts an attached exec: the connection then carries its streams both ways. */
  async startAttached(id: string, config: ExecStartConfig): Promise<Duplex> {
    const { stream } = await this.#t.hijack(`/exec/${segment(id)}/start`, { body: config });
    return stream;
  }

  inspect(id: string): Promise<ExecInspect> {
    return this.#t.get(`/exec/${segment(id)}/json`);
  }

  async resize(id: string, size: { h: number; w: number }): Promise<void> {
    await this.#t.post(`/exec/${segment(id)}/resize`, { query: { h: size.h, w: size.w } });
  }
}
