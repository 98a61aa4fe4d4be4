// Go's text/template and text/tabwriter, with docker's template functions and its --format
// conventions ("table …", "json"), for berth's --format flags.
import { execute } from './exec.ts';
import { builtins, dockerFuncs, goJson, headerFuncs, type TemplateFunc } from './funcs.ts';
import { parse, type ParsedTemplate } from './parser.ts';
import { TabWriter } from './tabwriter.ts';
import { MISSING, asStruct, formatValue } from './values.ts';

export { TemplateError } from './lexer.ts';
export { TabWriter, type TabWriterOptions } from './tabwriter.ts';
export { asStruct, MISSING, formatValue } from './values.ts';
export { sprintf } from './fmt.ts';
export { goJson };

export class Template {
  readonly #parsed: ParsedTemplate;
  readonly #funcs: Record<string, TemplateFunc>;
  readonly name: string;

  constructor(name: string, parsed: ParsedTemplate, funcs: Record<string, TemplateFunc>) {
    this.name = name;
    this.#parsed = parsed;
    this.#funcs = funcs;
  }

  execute(data: unknown, extraFuncs: Record<string, TemplateFunc> = {}): string {
    return execute(this.#parsed, data, { ...this.#funcs, ...extraFuncs }, this.name);
  }
}

/** Parses a template with Go's built-ins plus docker's functions. */
export function parseTemplate(text: string, options: { name?: string; funcs?: Record<string, TemplateFunc> } = {}): Template {
  const funcs = { ...builtins, ...dockerFuncs, ...(options.funcs ?? {}) };
  return new Template(options.name ?? '', parse(options.name ?? '', text, new Set(Object.keys(funcs))), funcs);
}

export interface FormatOptions {
  /** The command's default table ("table {{.ID}}\t…") used for --format table and no --format. */
  defaultTable: string;
  /** Column headers by field name. */
  headers: Record<string, string>;
}

/** JSON of a formatter row: its non-method fields with sorted keys, as docker marshals them. */
export function rowJson(row: object): string {
  const entries = Object.entries(row).filter(([, v]) => typeof v !== 'function');
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return goJson(Object.fromEntries(entries));
}

/**
 * Renders rows the way docker's formatter does for a --format value: "json" (a JSON object per
 * line), "table …" (a header row and aligned columns), or a template executed once per row.
 */
export function renderFormat(format: string | undefined, rows: readonly object[], options: FormatOptions): string {
  let f = format === undefined || format === '' || format === 'table' ? options.defaultTable : format;
  if (f === 'json') return rows.map((r) => rowJson(r) + '\n').join('');
  const isTable = f.startsWith('table');
  if (isTable) f = f.slice('table'.length);
  f = f.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const tmpl = parseTemplate(f);
  let body = '';
  for (const row of rows) body += tmpl.execute(row) + '\n';
  if (!isTable) return body;
  const tw = new TabWriter({ minWidth: 10, tabWidth: 1, padding: 3, padChar: ' ' });
  const header = tmpl.execute(options.headers, headerFuncs);
  tw.write(header + '\n' + body);
  return tw.flush();
}

export { formatValue as goValueString };
export const noValue = MISSING;
export type { TemplateFunc };
export { asStruct as markStruct };
