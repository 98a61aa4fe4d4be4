// Output of list and inspect commands: docker's --format handling over the template engine.
import { TemplateError, asStruct, parseTemplate, renderFormat } from '../template/index.ts';
import type { CliContext } from './command.ts';
import { StatusError } from './errors.ts';

/** A row of a list command, a Go struct for templates (unknown fields are errors, as in docker). */
export function makeRow<T extends object>(typeName: string, fields: T): T {
  return asStruct(fields, `*formatter.${typeName}`);
}

export function printRows(
  ctx: CliContext,
  rows: readonly object[],
  options: { format?: string; quiet?: boolean; quietField?: string; defaultTable: string; headers: Record<string, string> },
): void {
  if (options.quiet && !options.format) {
    for (const r of rows) ctx.stdout.write(`${(r as Record<string, unknown>)[options.quietField ?? 'ID']}\n`);
    return;
  }
  try {
    ctx.stdout.write(renderFormat(options.format, rows, { defaultTable: options.defaultTable, headers: options.headers }));
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, `template parsing error: ${err.message}`);
    throw err;
  }
}

/** Executes a user template once against `data` (version -f, info -f). */
export function executeTemplate(format: string, data: unknown): string {
  try {
    const f = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
    return parseTemplate(f).execute(data);
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, `template parsing error: ${err.message}`);
    throw err;
  }
}

/**
 * inspect's output: a JSON array indented as docker does, or the template once per item. Like
 * docker, the format is taken literally (no \t expansion) and a key missing from the JSON is an
 * error ("map has no entry for key"), not "<no value>".
 */
export function printInspect(ctx: CliContext, items: readonly unknown[], format: string | undefined): void {
  if (!format) {
    ctx.stdout.write(JSON.stringify(items, null, 4) + '\n');
    return;
  }
  let tmpl;
  try {
    tmpl = parseTemplate(format);
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, `template parsing error: ${err.message}`);
    throw err;
  }
  for (const item of items) {
    try {
      ctx.stdout.write(tmpl.execute(item, { missingKey: 'error' }) + '\n');
    } catch (err) {
      if (err instanceof TemplateError) {
        ctx.stdout.write('\n');
        throw new StatusError(1, `template parsing error: ${err.message}`);
      }
      throw err;
    }
  }
}

/**
 * `inspect` over several names: fetches each (undefined when there is no such object: `errorText` then gets no error), prints
 * what was found, and reports each failure on stderr with `errorText`; 1 when any failed.
 */
export async function inspectEach(
  ctx: CliContext,
  names: readonly string[],
  fetch: (name: string) => Promise<unknown>,
  options: { format: string | undefined; errorText: (name: string, err: unknown) => string },
): Promise<number> {
  const items: unknown[] = [];
  let failed = false;
  for (const name of names) {
    let item: unknown;
    let error: unknown;
    try {
      item = await fetch(name);
    } catch (err) {
      error = err;
    }
    if (item !== undefined) items.push(item);
    else {
      failed = true;
      ctx.stderr.write(`${options.errorText(name, error)}\n`);
    }
  }
  printInspect(ctx, items, options.format);
  return failed ? 1 : 0;
}
