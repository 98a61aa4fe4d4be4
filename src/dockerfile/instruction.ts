// Parsing of single Dockerfile instructions, as `docker import -c` and `docker commit -c` take them
// ("CMD [\"sh\"]", "ENV A=1 B=2", "EXPOSE 80/tcp") and as the builder will dispatch them.
import { InvalidArgument } from '../errors/index.ts';
import type { ContainerConfig } from '../types/index.ts';

export interface Instruction {
  /** Upper-cased keyword. */
  keyword: string;
  /** The text after the keyword, trimmed. */
  rest: string;
  /** For JSON-form instructions (CMD ["a","b"]), the parsed array. */
  json?: string[];
}

export function parseInstruction(line: string): Instruction {
  const m = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(line);
  if (!m) throw new InvalidArgument('dockerfile parse error: empty instruction');
  const keyword = m[1].toUpperCase();
  const rest = (m[2] ?? '').trim();
  const json = parseJsonArray(rest);
  return { keyword, rest, ...(json ? { json } : {}) };
}

function parseJsonArray(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // not JSON: shell form
  }
  return undefined;
}

/** Splits words the way the Dockerfile shell-word lexer does: quotes group, backslash escapes. */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InvalidArgument(`unmatched quote in: ${s}`);
  if (inWord) words.push(cur);
  return words;
}

/** key=value pairs (ENV, LABEL, ARG); the legacy one-pair form "ENV key value" when allowed. */
export function parseKeyValues(keyword: string, rest: string, options: { legacy: boolean }): Array<[string, string]> {
  const words = splitWords(rest);
  if (words.length === 0) throw new InvalidArgument(`${keyword} requires at least one argument`);
  if (!words[0].includes('=')) {
    if (!options.legacy) throw new InvalidArgument(`${keyword} names can not be blank`);
    const m = /^\s*(\S+)\s+([\s\S]*)$/.exec(rest);
    if (!m) throw new InvalidArgument(`${keyword} must have two arguments`);
    return [[m[1], m[2].trim()]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidArgument(`${keyword} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

const changeKeywords = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
const allKeywords = new Set([...changeKeywords, 'ADD', 'ARG', 'COPY', 'FROM', 'MAINTAINER', 'RUN', 'SHELL']);

/**
 * Applies `docker import/commit -c` changes to a config (in place), with dockerd's rules and
 * error texts for instructions a change may not use.
 */
export function applyChanges(config: Partial<ContainerConfig>, changes: readonly string[]): void {
  const state: BuildState = { cmdSet: false };
  for (const change of changes) {
    if (!change.trim()) continue;
    const ins = parseInstruction(change);
    if (!allKeywords.has(ins.keyword)) throw new InvalidArgument(`dockerfile parse error on line 1: unknown instruction: ${ins.keyword}`);
    if (!changeKeywords.has(ins.keyword)) throw new InvalidArgument(`${ins.keyword.toLowerCase()} is not a valid change command`);
    applyInstruction(config, ins, state);
  }
}

/** What one build (or one set of changes) has done so far that later instructions depend on. */
export interface BuildState {
  cmdSet: boolean;
}

const shellForm = (config: Partial<ContainerConfig>, rest: string): string[] => [...(config.Shell ?? ['/bin/sh', '-c']), rest];

export function applyInstruction(config: Partial<ContainerConfig>, ins: Instruction, state: BuildState): void {
  switch (ins.keyword) {
    case 'CMD':
      config.Cmd = ins.json ?? shellForm(config, ins.rest);
      state.cmdSet = true;
      return;
    case 'ENTRYPOINT':
      config.Entrypoint = ins.json ?? (ins.rest === '' ? null : shellForm(config, ins.rest));
      // An inherited CMD makes no sense for a new ENTRYPOINT unless this build set one too.
      if (!state.cmdSet) config.Cmd = null;
      return;
    case 'ENV': {
      const env = [...(config.Env ?? [])];
      for (const [k, v] of parseKeyValues('ENV', ins.rest, { legacy: true })) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      return;
    }
    case 'LABEL': {
      const labels = { ...(config.Labels ?? {}) };
      for (const [k, v] of parseKeyValues('LABEL', ins.rest, { legacy: true })) labels[k] = v;
      config.Labels = labels;
      return;
    }
    case 'EXPOSE': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const p of ins.json ?? splitWords(ins.rest)) {
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
        if (!m) throw new InvalidArgument(`invalid containerPort: ${p}`);
        const proto = (m[3] ?? 'tcp').toLowerCase();
        const end = m[2] ? Number(m[2]) : Number(m[1]);
        for (let n = Number(m[1]); n <= end; n++) ports[`${n}/${proto}`] = {};
      }
      config.ExposedPorts = ports;
      return;
    }
    case 'VOLUME': {
      const vols = { ...(config.Volumes ?? {}) };
      const list = ins.json ?? splitWords(ins.rest);
      if (list.length === 0) throw new InvalidArgument('VOLUME specified can not be an empty string');
      for (const v of list) {
        if (!v.trim()) throw new InvalidArgument('VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      config.Volumes = vols;
      return;
    }
    case 'USER':
      if (!ins.rest) throw new InvalidArgument('USER requires exactly one argument');
      config.User = ins.rest;
      return;
    case 'WORKDIR': {
      if (!ins.rest) throw new InvalidArgument('WORKDIR requires exactly one argument');
      const w = ins.rest;
      config.WorkingDir = w.startsWith('/') ? w : `${(config.WorkingDir || '/').replace(/\/$/, '')}/${w}`;
      return;
    }
    case 'STOPSIGNAL':
      if (!ins.rest) throw new InvalidArgument('STOPSIGNAL requires exactly one argument');
      config.StopSignal = ins.rest;
      return;
    case 'ONBUILD':
      if (!ins.rest) throw new InvalidArgument('ONBUILD requires at least one argument');
      config.OnBuild = [...(config.OnBuild ?? []), ins.rest];
      return;
    case 'HEALTHCHECK':
      applyHealthcheck(config, ins.rest);
      return;
    default:
      throw new InvalidArgument(`${ins.keyword.toLowerCase()} is not a valid change command`);
  }
}

function applyHealthcheck(config: Partial<ContainerConfig>, rest: string): void {
  const words = rest.split(/\s+/);
  const hc: NonNullable<ContainerConfig['Healthcheck']> = {};
  while (words[0]?.startsWith('--')) {
    const [flag, value = ''] = words.shift()!.slice(2).split('=');
    const ns = durationNs(value, flag);
    if (flag === 'interval') hc.Interval = ns;
    else if (flag === 'timeout') hc.Timeout = ns;
    else if (flag === 'start-period') hc.StartPeriod = ns;
    else if (flag === 'start-interval') hc.StartInterval = ns;
    else if (flag === 'retries') hc.Retries = Number(value);
    else throw new InvalidArgument(`unknown flag: ${flag}`);
  }
  const kind = (words.shift() ?? '').toUpperCase();
  const cmdText = words.join(' ');
  if (kind === 'NONE') {
    config.Healthcheck = { Test: ['NONE'] };
    return;
  }
  if (kind !== 'CMD') throw new InvalidArgument(`Unknown type "${kind}" in HEALTHCHECK (try CMD)`);
  const json = parseJsonArray(cmdText);
  hc.Test = json ? ['CMD', ...json] : ['CMD-SHELL', cmdText];
  config.Healthcheck = hc;
}

function durationNs(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (!m) throw new InvalidArgument(`invalid duration for --${flag}: ${value}`);
  const unit = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] as 'ns'];
  return Math.round(Number(m[1]) * unit);
}
