// Relative paths in a compose model are relative to the project directory (or, for a file pulled
// in by `extends`/`include`, to that file's directory); `~` is the user's home. Resolved once, on
// plain data, for exactly the keys compose-go resolves.
import { isAbsolute, join } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';
import { ITEM, findRule, isMapping, rules, type TreePath } from './tree.ts';

export function expandUser(p: string, home: string): string {
  return p.startsWith('~') ? join(home, p.slice(1)) : p;
}

const remoteContextPrefixes = ['https://', 'http://', 'git://', 'ssh://', 'github.com/', 'git@'];

type Resolver = (value: unknown) => unknown;

export function resolveRelativePaths(model: Record<string, unknown>, options: { workingDir: string; home: string }): void {
  const { workingDir, home } = options;
  const absPath = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(absPath);
    if (typeof v !== 'string') return v;
    const s = expandUser(v, home);
    if (isAbsolute(s) || s === '') return s;
    return join(workingDir, s);
  };
  const unixPath = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    const s = expandUser(v, home);
    // A Windows absolute path (C:\…) is left alone, as compose does for a client of another OS.
    if (isAbsolute(s) || /^[a-zA-Z]:[\\/]/.test(s) || s.startsWith('\\\\')) return s;
    return join(workingDir, s);
  };
  const contextPath = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    if (v.includes('://') || v.startsWith('service:') || remoteContextPrefixes.some((p) => v.startsWith(p))) return v;
    return absPath(v);
  };
  const volumeMount = (v: unknown): unknown => {
    if (!isMapping(v) || v.type !== 'bind') return v;
    if (typeof v.source !== 'string') throw new InvalidArgument('invalid mount config for type "bind": field Source must not be empty');
    v.source = unixPath(v.source);
    return v;
  };
  const volumeDriverOpts = (v: unknown): unknown => {
    if (!isMapping(v) || v.driver !== 'local' || !isMapping(v.driver_opts)) return v;
    const opts = v.driver_opts;
    if (opts.o === 'bind' && 'device' in opts) opts.device = unixPath(opts.device);
    return v;
  };
  const resolvers = rules<Resolver>({
    'services.*.build.context': contextPath,
    'services.*.build.additional_contexts.*': contextPath,
    'services.*.build.ssh.*': unixPath,
    [`services.*.env_file.${ITEM}.path`]: absPath,
    [`services.*.label_file.${ITEM}`]: absPath,
    'services.*.extends.file': absPath,
    [`services.*.develop.watch.${ITEM}.path`]: absPath,
    [`services.*.volumes.${ITEM}`]: volumeMount,
    'configs.*.file': unixPath,
    'secrets.*.file': unixPath,
    'volumes.*': volumeDriverOpts,
  });
  const walk = (value: unknown, path: TreePath): unknown => {
    const r = findRule(resolvers, path);
    if (r) return r(value);
    if (Array.isArray(value)) return value.map((v) => walk(v, [...path, ITEM]));
    if (isMapping(value)) for (const [k, v] of Object.entries(value)) value[k] = walk(v, [...path, k]);
    return value;
  };
  walk(model, []);
}
