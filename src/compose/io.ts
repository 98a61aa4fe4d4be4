// The file system as the loader sees it: a port, so loading is tested against an in-memory tree
// and the CLI passes the real one. Synchronous because compose files are small and read once.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';

export interface ComposeFs {
  /** The file's text; throws an Error whose message names the path when it cannot be read. */
  readFile(path: string): string;
  /** What is at `path`, following symbolic links, or undefined when nothing is. */
  stat(path: string): 'file' | 'directory' | 'other' | undefined;
  /** The user's home directory, for `~` in paths. */
  homeDir(): string;
}

export const nodeFs: ComposeFs = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new Error(`open ${path}: no such file or directory`, { cause: err });
      if (code === 'EISDIR') throw new Error(`read ${path}: is a directory`, { cause: err });
      if (code === 'EACCES') throw new Error(`open ${path}: permission denied`, { cause: err });
      throw err;
    }
  },
  stat(path) {
    try {
      const st = statSync(path);
      return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
    } catch {
      return undefined;
    }
  },
  homeDir: () => homedir(),
};

/** An in-memory tree for tests: paths are absolute, directories implied by the files in them. */
export function memoryFs(files: Record<string, string>, options: { home?: string } = {}): ComposeFs {
  return {
    readFile(path) {
      if (Object.prototype.hasOwnProperty.call(files, path)) return files[path];
      if (Object.keys(files).some((f) => f.startsWith(`${path}/`))) throw new Error(`read ${path}: is a directory`);
      throw new Error(`open ${path}: no such file or directory`);
    },
    stat(path) {
      if (Object.prototype.hasOwnProperty.call(files, path)) return 'file';
      const dir = path.endsWith('/') ? path : `${path}/`;
      if (path === '/' || Object.keys(files).some((f) => f.startsWith(dir))) return 'directory';
      return undefined;
    },
    homeDir: () => options.home ?? '/root',
  };
}
