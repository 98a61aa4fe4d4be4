// Loads a part of Berth that is bundled on its own (dist/<bundle>.mjs, beside the running
// bundle) only when it is needed, so the programs that do not need it never parse it; run from
// source (tsx), the part's own module is imported instead.
export async function importPart<T>(o: { bundle: string; source: URL; caller: string }): Promise<T> {
  const url = o.caller.endsWith('.ts') ? o.source : new URL(`./${o.bundle}.mjs`, o.caller);
  return (await import(url.href)) as T;
}
