// The table of containers' sandboxes: in memory, and as runtime state under
// <exec-root>/network/sandboxes/<container id>.json so that a restarted berthd can adopt the
// sandboxes of containers that still run and remove the others. The sandbox manager is the only
// writer; the port publisher, the name resolver and the network views only read it, which is why
// it is a table of its own rather than a field of any of them.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../lib/index.ts';
import type { SandboxState } from './types.ts';

export class SandboxRegistry {
  readonly dir: string;
  #byContainer = new Map<string, SandboxState>();
  /**
   * host and none mode: the predefined network a container is on. In memory only (as it always
   * was): after a berthd restart, inspect of `host` no longer lists a container adopted then.
   */
  #modeNetwork = new Map<string, string>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
  }

  get(containerId: string): SandboxState | undefined {
    return this.#byContainer.get(containerId);
  }

  values(): IterableIterator<SandboxState> {
    return this.#byContainer.values();
  }

  /** Adds or replaces the sandbox in memory (persist writes it). */
  set(sb: SandboxState, modeNetworkId?: string): void {
    this.#byContainer.set(sb.containerId, sb);
    if (modeNetworkId) this.#modeNetwork.set(sb.containerId, modeNetworkId);
  }

  delete(containerId: string): void {
    this.#byContainer.delete(containerId);
    this.#modeNetwork.delete(containerId);
  }

  /** The host or none network a container without endpoints joined in this berthd's life. */
  modeNetwork(containerId: string): string | undefined {
    return this.#modeNetwork.get(containerId);
  }

  /** Every network the container is on: its endpoints', or its host/none network. */
  networksOf(containerId: string): string[] {
    const sb = this.#byContainer.get(containerId);
    if (!sb) return [];
    const mode = this.#modeNetwork.get(containerId);
    return [...sb.endpoints.map((e) => e.networkId), ...(mode ? [mode] : [])];
  }

  /** Whether any container has an endpoint on the network. */
  inUse(networkId: string): boolean {
    for (const sb of this.#byContainer.values()) if (sb.endpoints.some((e) => e.networkId === networkId)) return true;
    return false;
  }

  /** The sandbox holding the address (addresses are unique: subnets never overlap). */
  byAddress(ip: string): SandboxState | undefined {
    for (const sb of this.#byContainer.values()) if (sb.endpoints.some((e) => e.ip === ip)) return sb;
    return undefined;
  }

  async persist(sb: SandboxState): Promise<void> {
    await writeJsonAtomic(join(this.dir, `${sb.containerId}.json`), sb, { durable: false });
  }

  async unpersist(containerId: string): Promise<void> {
    await fsp.rm(join(this.dir, `${containerId}.json`), { force: true });
  }

  /** The sandboxes a previous berthd left on disk; unreadable files are removed on the way. */
  async *stored(): AsyncGenerator<SandboxState> {
    for (const file of await fsp.readdir(this.dir)) {
      if (!file.endsWith('.json')) continue;
      let sb: SandboxState | undefined;
      try {
        sb = await readJson<SandboxState>(join(this.dir, file));
      } catch {
        await fsp.rm(join(this.dir, file), { force: true });
        continue;
      }
      if (sb) yield sb;
    }
  }
}
