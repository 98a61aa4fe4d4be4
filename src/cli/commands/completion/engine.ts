// The completions behind the shell scripts of `berth completion`: `berth __complete WORD... CUR`
// (WORDs: what was typed after the program, CUR: the word being typed, maybe empty) prints one
// candidate a line ("name\tdescription" where there is one), then ":<directive>" — cobra's
// protocol, which docker's own completion speaks. Commands, subcommands and flags come from the
// command table; containers, images, networks, volumes and contexts are asked of the daemon and
// the context store when the command takes one (a daemon that does not answer gives none).
import type { CliContext, CommandEntry, Completes, NameKind } from '../../command.ts';
import { byteOrder } from '../../../lib/index.ts';
import { listedCommands, type CommandTable } from '../../command-table.ts';
import { ContextStore, defaultContextName } from '../../context-store.ts';
import type { FlagSpecs } from '../../flags.ts';

/** cobra's ShellCompDirective bits. */
export const Directive = { default: 0, error: 1, noSpace: 2, noFileComp: 4 } as const;

export interface Completions {
  /** "word" or "word\tdescription", already narrowed to what was typed. */
  candidates: string[];
  directive: number;
}

export interface CompletionSources {
  table: CommandTable;
  globalFlags: FlagSpecs;
  /** Commands of the root besides the table's: help, completion's own… (name → description). */
  extraTop?: Readonly<Record<string, string>>;
  /** Names of the kinds that need the daemon or the context store. */
  names(kind: NameKind): Promise<string[]>;
}

/** The daemon's and the context store's names, for a CLI context. */
export function liveNames(ctx: CliContext): (kind: NameKind) => Promise<string[]> {
  const quiet = async <T>(p: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await p();
    } catch {
      return fallback; // no daemon, no names: completion must never print an error
    }
  };
  const containers = (all: boolean, filters?: Record<string, string[]>) =>
    quiet(async () => (await ctx.client().containers.list({ all, size: false, ...(filters ? { filters } : {}) })).flatMap((c) => (c.Names ?? []).map((n) => n.replace(/^\//, ''))), []);
  return async (kind) => {
    switch (kind) {
      case 'container':
        return containers(true);
      case 'container-running':
        return containers(false);
      case 'container-stopped':
        return containers(true, { status: ['created', 'exited'] });
      case 'container-paused':
        return containers(true, { status: ['paused'] });
      case 'container-path':
        return (await containers(true)).map((n) => `${n}:`);
      case 'image':
        return quiet(async () => (await ctx.client().images.list({ all: false })).flatMap((i) => (i.RepoTags ?? []).filter((t) => !t.startsWith('<none>'))), []);
      case 'network':
        return quiet(async () => (await ctx.client().networks.list()).map((n) => n.Name), []);
      case 'volume':
        return quiet(async () => ((await ctx.client().volumes.list()).Volumes ?? []).map((v) => v.Name), []);
      case 'context':
        return quiet(async () => [defaultContextName, ...new ContextStore(ctx.configDir).list().map((c) => c.Name)], [defaultContextName]);
      case 'object': {
        const all = await Promise.all((['container', 'image', 'network', 'volume'] as const).map((k) => liveNames(ctx)(k)));
        return [...new Set(all.flat())];
      }
      case 'file':
      case 'none':
        return [];
    }
  };
}

/** Flag words (--name, -s) of a table that start with `cur`, with their usage as description. */
function flagCandidates(flags: FlagSpecs, cur: string): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(flags).sort(([a], [b]) => byteOrder(a, b))) {
    if (spec.hidden || spec.deprecated) continue;
    const usage = (spec.usage ?? '').split('\n')[0]!.replace(/`/g, '');
    if (`--${name}`.startsWith(cur)) out.push(`--${name}\t${usage}`);
    if (spec.short && !spec.shortDeprecated && cur.length <= 2 && `-${spec.short}`.startsWith(cur)) out.push(`-${spec.short}\t${usage}`);
  }
  return out;
}

/** The flag a word sets and whether it carries its value (`--name=x`, `-fvalue`), or undefined. */
function flagOf(word: string, flags: FlagSpecs): { name: string; takesValue: boolean; inline: boolean } | undefined {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const spec = flags[name] ?? Object.entries(flags).find(([, s]) => s.aliases?.includes(name))?.[1];
    if (!spec) return undefined;
    const key = flags[name] ? name : Object.entries(flags).find(([, s]) => s === spec)![0];
    return { name: key, takesValue: spec.type !== 'bool', inline: eq >= 0 };
  }
  if (word.startsWith('-') && word.length >= 2) {
    // a cluster of shorthands: the last one may take the next word
    for (let i = 1; i < word.length; i++) {
      const entry = Object.entries(flags).find(([, s]) => s.short === word[i]);
      if (!entry) return undefined;
      if (entry[1].type !== 'bool') return { name: entry[0], takesValue: true, inline: i < word.length - 1 };
    }
    return { name: '', takesValue: false, inline: false };
  }
  return undefined;
}

/** Candidates for a value of kind `what` starting with `cur`, and the directive that goes with them. */
async function valuesOf(what: Completes | undefined, cur: string, src: CompletionSources): Promise<Completions> {
  if (what === undefined || what === 'file') return { candidates: [], directive: Directive.default };
  if (what === 'none') return { candidates: [], directive: Directive.noFileComp };
  if (what === 'container-path') {
    // a path inside the container cannot be listed from here; before the ":", the names, with
    // the local files beside them and no space after "name:"
    if (cur.includes(':')) return { candidates: [], directive: Directive.noFileComp };
    return { candidates: (await src.names(what)).filter((w) => w.startsWith(cur)).sort(), directive: Directive.noSpace };
  }
  const words = typeof what === 'string' ? await src.names(what) : what;
  return { candidates: [...new Set(words)].filter((w) => w.startsWith(cur)).sort(), directive: Directive.noFileComp };
}

/**
 * The completions for the word `cur` after `words` (the words typed after the program name).
 */
export async function complete(words: readonly string[], cur: string, src: CompletionSources): Promise<Completions> {
  const { table } = src;
  let i = 0;
  // global flags before the command; the last word may be one waiting for its value
  while (i < words.length && words[i]!.startsWith('-')) {
    const f = flagOf(words[i]!, src.globalFlags);
    if (f?.takesValue && !f.inline) {
      if (i === words.length - 1) return globalFlagValue(f.name, cur, src);
      i += 2;
    } else i++;
  }
  if (i >= words.length) {
    if (cur.startsWith('--') && cur.includes('=')) return inlineValue(cur, src.globalFlags, {}, src);
    if (cur.startsWith('-')) return { candidates: flagCandidates(src.globalFlags, cur), directive: Directive.noFileComp };
    const names = new Map<string, string>();
    for (const m of table.management) names.set(m.name, m.description);
    for (const [n, c] of table.top) if (n.startsWith(cur)) names.set(n, (await c.spec()).description);
    for (const [n, d] of Object.entries(src.extraTop ?? {})) names.set(n, d);
    return { candidates: [...names].filter(([n]) => n.startsWith(cur)).sort(([a], [b]) => byteOrder(a, b)).map(([n, d]) => `${n}\t${d}`), directive: Directive.noFileComp };
  }
  const name = words[i++]!;
  if (name === 'help') {
    // help COMMAND [SUBCOMMAND]
    return complete(words.slice(i), cur, { ...src, globalFlags: {}, extraTop: {} });
  }
  let entry: CommandEntry | undefined = table.top.get(name);
  const management = table.management.find((m) => m.name === name);
  if (!entry && management) {
    // the management command's own options (compose -f FILE, -p NAME) before the subcommand
    const own = management.flags ?? {};
    while (i < words.length && words[i]!.startsWith('-')) {
      const f = flagOf(words[i]!, own);
      if (f?.takesValue && !f.inline) {
        if (i === words.length - 1) return valuesOf(undefined, cur, src);
        i += 2;
      } else i++;
    }
    if (i >= words.length && cur.startsWith('-')) {
      return { candidates: flagCandidates({ ...own, help: { type: 'bool', usage: 'Print usage' } }, cur), directive: Directive.noFileComp };
    }
    if (i >= words.length) {
      return {
        candidates: (await listedCommands(management)).filter(([n]) => n.startsWith(cur)).map(([n, , spec]) => `${n}\t${spec.description}`),
        directive: Directive.noFileComp,
      };
    }
    entry = management.commands.get(words[i++]!);
  }
  if (!entry) return { candidates: [], directive: Directive.noFileComp };
  return completeCommand(entry, words.slice(i), cur, src);
}

async function globalFlagValue(flag: string, cur: string, src: CompletionSources): Promise<Completions> {
  if (flag === 'context') return valuesOf('context', cur, src);
  if (flag === 'log-level') return valuesOf(['debug', 'info', 'warn', 'error', 'fatal'], cur, src);
  if (flag === 'host') return { candidates: [], directive: Directive.noFileComp };
  return valuesOf('file', cur, src);
}

async function inlineValue(cur: string, flags: FlagSpecs, kinds: Readonly<Record<string, Completes>>, src: CompletionSources): Promise<Completions> {
  const eq = cur.indexOf('=');
  const flag = cur.slice(2, eq);
  const r = flags === src.globalFlags ? await globalFlagValue(flag, cur.slice(eq + 1), src) : await valuesOf(kinds[flag], cur.slice(eq + 1), src);
  return { candidates: r.candidates.map((c) => `${cur.slice(0, eq + 1)}${c}`), directive: r.directive };
}

async function completeCommand(entry: CommandEntry, words: readonly string[], cur: string, src: CompletionSources): Promise<Completions> {
  const spec = await entry.spec();
  const flags = spec.flags;
  const kinds = spec.complete?.flags ?? {};
  let positional = 0;
  let flagsEnded = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!flagsEnded && w === '--') {
      flagsEnded = true;
      continue;
    }
    if (!flagsEnded && w.startsWith('-') && w.length > 1) {
      const f = flagOf(w, flags);
      if (f?.takesValue && !f.inline) {
        if (i === words.length - 1) return valuesOf(kinds[f.name], cur, src);
        i++;
      }
      continue;
    }
    positional++;
    // run, create, exec: everything after the first argument belongs to the container's command
    if (spec.stopAtFirstArg) flagsEnded = true;
  }
  if (!flagsEnded && cur.startsWith('--') && cur.includes('=')) return inlineValue(cur, flags, kinds, src);
  if (!flagsEnded && cur.startsWith('-')) return { candidates: flagCandidates({ ...flags, help: { type: 'bool', usage: 'Print usage' } }, cur), directive: Directive.noFileComp };
  if (spec.maxArgs !== undefined && positional >= spec.maxArgs) return { candidates: [], directive: Directive.noFileComp };
  const args = spec.complete?.args ?? [];
  if (args.length === 0) return { candidates: [], directive: Directive.default };
  return valuesOf(args[Math.min(positional, args.length - 1)], cur, src);
}
