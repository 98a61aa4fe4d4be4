// A parsed template set, as Go's *template.Template made by docker's templates.Parse: Go's
// built-in functions plus docker's, and any the caller adds.
import { executeTree, type ExecResult, type MissingKey } from './exec.ts';
import { toSpec, type FuncSpec, type TemplateFunc } from './func-spec.ts';
import { builtins, dockerFuncs } from './funcs.ts';
import { parse, type Tree } from './parser.ts';

export interface ParseOptions {
  /** The template's name, shown in error messages ("template: NAME:1: …"). Default "". */
  name?: string;
  /** Functions to add (or to replace docker's with). */
  funcs?: Record<string, TemplateFunc>;
  /** Leave out docker's functions (json, join, split, …), as a plain Go template. Default true. */
  docker?: boolean;
}

export interface ExecuteOptions {
  /** Functions that replace the template's for this execution, as Go's Template.Funcs. */
  funcs?: Record<string, TemplateFunc> | ReadonlyMap<string, FuncSpec>;
  /**
   * Go's Option("missingkey=…"). docker inspect retries a failed template on the raw JSON with
   * 'error', which is where its "map has no entry for key" messages come from.
   */
  missingKey?: MissingKey;
}

function specs(funcs: Record<string, TemplateFunc> | ReadonlyMap<string, FuncSpec> | undefined): Map<string, FuncSpec> {
  if (funcs === undefined) return new Map();
  if (funcs instanceof Map) return new Map(funcs);
  return new Map(Object.entries(funcs).map(([k, f]) => [k, toSpec(f)]));
}

export class Template {
  readonly name: string;
  readonly #trees: ReadonlyMap<string, Tree>;
  readonly #funcs: ReadonlyMap<string, FuncSpec>;

  constructor(name: string, trees: ReadonlyMap<string, Tree>, funcs: ReadonlyMap<string, FuncSpec>) {
    this.name = name;
    this.#trees = trees;
    this.#funcs = funcs;
  }

  /** Names of the templates in the set (the top-level one and those it defines). */
  get templates(): string[] {
    return [...this.#trees.keys()];
  }

  /** Executes the template; throws TemplateError with Go's message. */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    return this.executeTemplate(this.name, data, options);
  }

  /** Executes the template `name` of the set ({{define "name"}}). */
  executeTemplate(name: string, data: unknown, options: ExecuteOptions = {}): string {
    const r = this.tryExecute(data, { ...options, template: name });
    if (r.error) throw r.error;
    return r.text;
  }

  /** Executes without throwing: what was written before an error comes back with the error. */
  tryExecute(data: unknown, options: ExecuteOptions & { template?: string } = {}): ExecResult {
    const funcs = new Map([...this.#funcs, ...specs(options.funcs)]);
    return executeTree(options.template ?? this.name, data, { trees: this.#trees, funcs, builtins, missingKey: options.missingKey });
  }
}

/** Parses a template as docker's templates.Parse does; throws TemplateError with Go's message. */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  const name = options.name ?? '';
  const funcs = new Map([...(options.docker === false ? [] : dockerFuncs), ...specs(options.funcs)]);
  const known = new Set([...builtins.keys(), ...funcs.keys()]);
  return new Template(name, parse(name, text, known), funcs);
}
