// docker's --format handling for list commands (the docker/cli formatter package): "json" prints
// each row as JSON, "table …" prints a header row and aligned columns, anything else is a
// template executed once per row.
import { goFunc } from './func-spec.ts';
import { headerFuncs } from './funcs.ts';
import { goJson } from './json.ts';
import { TabWriter, terminalWidth } from './tabwriter.ts';
import { parseTemplate } from './template.ts';
import { ownEntries, withGoType } from './values.ts';

export interface FormatOptions {
  /** The command's default format ("table {{.ID}}\t…"), used for no --format and for "table". */
  defaultTable: string;
  /** Column headers by field name ({ ID: 'CONTAINER ID', … }). */
  headers: Record<string, string>;
}

/**
 * A row as JSON, the way docker marshals its formatter contexts: the row's fields (not its
 * methods) with sorted keys; a row with toJSON() marshals itself.
 */
export function rowJson(row: object): string {
  if (typeof (row as { toJSON?: unknown }).toJSON === 'function') return goJson(row);
  const entries = ownEntries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return goJson(Object.fromEntries(entries));
}

/** The text docker executes for a --format value: "table" stripped, spaces trimmed, \t and \n expanded. */
export function templateText(format: string): string {
  if (format === 'json') return '{{json .}}';
  let out = format.startsWith('table') ? format.slice('table'.length) : format;
  out = out.replace(/^ +| +$/g, '');
  return out.replace(/\\[tn]/g, (m) => (m === '\\t' ? '\t' : '\n'));
}

/**
 * The context a table header is rendered against: each field's header, and docker's Label
 * method, which names a label column after the last dot-separated part of the label's key.
 */
export function headerContext(headers: Record<string, string>): object {
  const ctx: Record<string, string> = { ...headers };
  Object.defineProperty(ctx, 'Label', {
    value: goFunc((name: string) => name.split('.').pop()!.replace(/[-_]/g, ' '), ['string']),
    enumerable: false,
  });
  return withGoType(ctx, 'formatter.SubHeaderContext');
}

/**
 * Renders rows for a --format value as docker's formatter does. Throws TemplateError when the
 * template does not parse or fails on a row (docker then prints nothing); a failing header is
 * printed as far as it got, as docker does.
 */
export function renderFormat(format: string | undefined, rows: readonly object[], options: FormatOptions): string {
  const f = format === undefined || format === '' || format === 'table' ? options.defaultTable : format;
  const isTable = f.startsWith('table');
  const tmpl = parseTemplate(templateText(f));
  let body = '';
  for (const row of rows) {
    const json = goFunc((v: unknown) => (v === row ? rowJson(row) : goJson(v)), ['any']);
    body += tmpl.execute(row, { funcs: { json } }) + '\n';
  }
  if (!isTable) return body;
  const tw = new TabWriter({ minWidth: 10, tabWidth: 1, padding: 3, padChar: ' ', cellWidth: terminalWidth });
  tw.write(tmpl.tryExecute(headerContext(options.headers), { funcs: headerFuncs }).text);
  tw.write('\n');
  tw.write(body);
  return tw.flush();
}
