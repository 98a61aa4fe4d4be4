// /proc for the engine's stats: read synchronously, since these files are a few hundred bytes the
// kernel renders on read (the thread pool's round trip costs more than the read itself).
import { readFileSync } from 'node:fs';
import type { ProcFiles } from '../engine/index.ts';

export class NodeProcFiles implements ProcFiles {
  async read(path: string): Promise<string> {
    return readFileSync(`/proc/${path}`, 'utf8');
  }
}
