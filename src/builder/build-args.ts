// Build-time variables as dockerd's classic builder scopes them (builder/dockerfile/buildargs.go):
// ARGs before the first FROM are meta args, visible to FROM lines and as defaults to a stage's own
// `ARG NAME`; a stage sees only the ARGs it declares; --build-arg values override defaults; the
// proxy variables are predefined (usable without ARG, left out of the history unless declared).
// BuildKit's automatic platform args (TARGETPLATFORM…) join the meta scope as its lowest layer.

/** Predefined args: set by `--build-arg` without an ARG, and "transparent" (kept out of history). */
export const builtinBuildArgs: ReadonlySet<string> = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

/**
 * `--build-arg` values: a name with null is `--build-arg NAME` whose value the client did not
 * find in its environment; it still counts as passed (for the unused-args warning) but sets nothing.
 */
export type BuildArgValues = ReadonlyMap<string, string | null>;

export class BuildArgs {
  /** Args this scope may expand and pass to RUN: name → default (undefined: none). */
  readonly #allowed = new Map<string, string | undefined>();
  readonly #meta: Map<string, string | undefined>;
  readonly #referenced: Set<string>;
  readonly #options: BuildArgValues;
  readonly #automatic: ReadonlyMap<string, string>;

  constructor(options: BuildArgValues, automatic: ReadonlyMap<string, string> = new Map(), meta = new Map<string, string | undefined>(), referenced = new Set<string>()) {
    this.#options = options;
    this.#automatic = automatic;
    this.#meta = meta;
    this.#referenced = referenced;
  }

  /** A stage's scope: the meta args and what was referenced so far, none of the allowed ones. */
  forStage(): BuildArgs {
    return new BuildArgs(this.#options, this.#automatic, new Map(this.#meta), new Set(this.#referenced));
  }

  /** `ARG NAME[=default]` in a stage (or, with addMeta, before the first FROM). */
  addArg(key: string, value: string | undefined): void {
    this.#allowed.set(key, value);
    this.#referenced.add(key);
  }

  addMetaArg(key: string, value: string | undefined): void {
    this.#meta.set(key, value);
  }

  mergeReferenced(other: BuildArgs): void {
    for (const k of other.#referenced) this.#referenced.add(k);
  }

  referenced(): ReadonlySet<string> {
    return this.#referenced;
  }

  /** Whether a value in the environment belongs in the history and cache key of a RUN. */
  isReferencedOrNotBuiltin(key: string): boolean {
    return this.#allowed.has(key) || !builtinBuildArgs.has(key);
  }

  #value(key: string, source: ReadonlyMap<string, string | undefined>): string | undefined {
    const fromOptions = this.#options.get(key);
    if (fromOptions !== undefined && fromOptions !== null) return fromOptions;
    const def = source.get(key);
    if (def !== undefined) return def;
    const meta = this.#meta.get(key);
    if (meta !== undefined) return meta;
    // Declared without a default and not passed: the automatic value, if the name has one.
    if (source.has(key) || this.#meta.has(key)) return this.#automatic.get(key);
    return undefined;
  }

  #all(source: ReadonlyMap<string, string | undefined>): Map<string, string> {
    const out = new Map<string, string>();
    for (const key of [...new Set([...source.keys(), ...builtinBuildArgs])].sort()) {
      const v = this.#value(key, source);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }

  /** The args a stage instruction may expand and RUN receives (declared, or predefined and passed). */
  allAllowed(): Map<string, string> {
    return this.#all(this.#allowed);
  }

  /** What FROM lines see: meta args, passed proxies, and the automatic platform args. */
  allMeta(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.#automatic) out.set(k, this.#options.get(k) ?? v);
    for (const [k, v] of this.#all(this.#meta)) out.set(k, v);
    return out;
  }

  /** `KEY=value` for the allowed args the environment does not already set, sorted by name. */
  filterAllowed(env: readonly string[] | null | undefined): string[] {
    const set = new Set((env ?? []).map((e) => e.split('=', 1)[0]));
    return [...this.allAllowed()].filter(([k]) => !set.has(k)).map(([k, v]) => `${k}=${v}`);
  }

  /** dockerd's warning for --build-arg names no ARG declared (sorted, as dockerd prints them). */
  unusedWarning(extraReferenced: Iterable<string> = []): string | undefined {
    const referenced = new Set([...this.#referenced, ...extraReferenced]);
    const leftover = [...this.#options.keys()].filter((k) => !builtinBuildArgs.has(k) && !this.#automatic.has(k) && !referenced.has(k)).sort();
    return leftover.length > 0 ? `[Warning] One or more build-args [${leftover.join(' ')}] were not consumed` : undefined;
  }
}
