// The archive `import` and `load` read: a file, opened before anything is sent so that a missing
// one fails with docker's message.
import { createReadStream } from 'node:fs';
import { StatusError } from '../../errors.ts';

export async function openInput(path: string): Promise<NodeJS.ReadableStream> {
  const rs = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    rs.once('open', () => resolve());
    rs.once('error', (err: NodeJS.ErrnoException) => reject(new StatusError(1, `open ${path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)));
  });
  return rs;
}
