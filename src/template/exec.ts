// Executing parsed templates (Go's text/template/exec.go): fields, methods, variables, pipelines,
// control structures and function calls with Go's semantics, and Go's error messages with the
// location and context of the node being evaluated.
import { methodSpec, type FuncSpec, type ParamType } from './func-spec.ts';
import { formatValue, printableString } from './fmt.ts';
import { nodeString, type ArgNode, type BranchNode, type ChainNode, type CommandNode, type FieldNode, type IdentifierNode, type Node, type NumberNode, type PipeNode, type TemplateNode, type Tree, type VariableNode } from './parser.ts';
import { quote } from '../lib/index.ts';
import { TemplateError } from './template-error.ts';
import {
  Float64,
  MISSING,
  elemType,
  findMethod,
  isExported,
  isTrue,
  kindOf,
  mapGet,
  mapKeyType,
  sortedEntries,
  structField,
  toBigInt,
  toNumber,
  typeName,
  zeroValue,
} from './values.ts';

/** Where JavaScript's stack would overflow long before Go's limit of 100000. */
const maxExecDepth = 1000;

/** Go's missingVal: "no final argument from a previous pipeline stage". */
const NO_FINAL: unique symbol = Symbol('no final argument');
type Final = unknown;

const BREAK: unique symbol = Symbol('break');
const CONTINUE: unique symbol = Symbol('continue');

export interface ExecOptions {
  /** The template set: the top-level template and those it defines. */
  trees: ReadonlyMap<string, Tree>;
  /** Functions added to the template (docker's); they take precedence over the built-ins. */
  funcs: ReadonlyMap<string, FuncSpec>;
  builtins: ReadonlyMap<string, FuncSpec>;
  /**
   * Go's Option("missingkey=…"): what a missing map key gives. 'default' (and 'invalid') give
   * "<no value>", 'zero' the zero value of the map's elements, 'error' stops execution.
   */
  missingKey?: MissingKey;
}

export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

export interface ExecResult {
  /** The output written before the end, or before the error. */
  text: string;
  error?: TemplateError;
}

class ExecAbort {
  readonly error: TemplateError;
  constructor(error: TemplateError) {
    this.error = error;
  }
}

interface Variable {
  name: string;
  value: unknown;
}

function errorContext(node: Node): { location: string; context: string } {
  const tree = node.tree;
  const text = tree.text.slice(0, node.pos);
  const nl = text.lastIndexOf('\n');
  const column = Buffer.byteLength(nl < 0 ? text : text.slice(nl + 1));
  const line = 1 + (text.match(/\n/g)?.length ?? 0);
  return { location: `${tree.parseName}:${line}:${column}`, context: nodeString(node) };
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && !/[pP]/.test(s);
}

function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

class State {
  readonly #opts: ExecOptions;
  #tree: Tree;
  #node: Node | undefined;
  #vars: Variable[];
  readonly #depth: number;
  readonly out: string[];

  constructor(opts: ExecOptions, tree: Tree, dot: unknown, depth: number, out: string[]) {
    this.#opts = opts;
    this.#tree = tree;
    this.#vars = [{ name: '$', value: dot }];
    this.#depth = depth;
    this.out = out;
  }

  at(node: Node): void {
    this.#node = node;
  }

  errorf(message: string): never {
    const name = this.#tree.name;
    if (this.#node === undefined) throw new ExecAbort(new TemplateError(`template: ${name}: ${message}`, 'exec'));
    const { location, context } = errorContext(this.#node);
    throw new ExecAbort(new TemplateError(`template: ${location}: executing ${quote(name)} at <${context}>: ${message}`, 'exec'));
  }

  // ---- variables -----------------------------------------------------------------------------

  mark(): number {
    return this.#vars.length;
  }

  pop(mark: number): void {
    this.#vars.length = mark;
  }

  push(name: string, value: unknown): void {
    this.#vars.push({ name, value });
  }

  setVar(name: string, value: unknown): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i].name === name) {
        this.#vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setTopVar(n: number, value: unknown): void {
    this.#vars[this.#vars.length - n].value = value;
  }

  varValue(name: string): unknown {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i].name === name) return this.#vars[i].value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking -------------------------------------------------------------------------------

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        // Variables declared by an action persist until the enclosing {{end}}; a declaration prints nothing.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outerMark = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice': {
          const items = val instanceof Uint8Array ? [...val] : (val as unknown[]);
          items.forEach((item, i) => {
            ran = true;
            oneIteration(i, item ?? null);
          });
          break;
        }
        case 'map':
          for (const [k, v] of sortedEntries(val as object)) {
            ran = true;
            oneIteration(k, v ?? null);
          }
          break;
        case 'int': {
          // Ranging over an int is Go 1.24's, which docker 28 is built with.
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = toBigInt(val);
          for (let i = 0n; i < n; i++) {
            ran = true;
            oneIteration(MISSING, intValue(i));
          }
          break;
        }
        case 'invalid':
        case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(outerMark);
    }
  }

  walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.#opts.trees.get(t.name);
    if (tree === undefined) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.#depth >= maxExecDepth) this.errorf(`exceeded maximum template depth (${maxExecDepth})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    // No dynamic scoping: the invoked template sees only $.
    const inner = new State(this.#opts, tree, newDot, this.#depth + 1, this.out);
    inner.walk(newDot, tree.root);
  }

  printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === MISSING) {
      this.out.push('<no value>');
      return;
    }
    if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out.push(printableString(v));
  }

  // ---- evaluation ----------------------------------------------------------------------------

  evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (pipe === undefined) return MISSING;
    this.at(pipe);
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value);
      else this.push(v.ident[0], value);
    }
    return value;
  }

  notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  /** A number literal where no type is expected: its syntax decides between int and float64. */
  idealConstant(c: NumberNode): unknown {
    this.at(c);
    const n = c.num;
    if (n.isFloat && !isHexInt(c.text) && c.text[0] !== "'" && /[.eEpP]/.test(c.text)) return new Float64(n.float);
    if (n.isInt) return intValue(n.int);
    if (n.isUint) this.errorf(`${c.text} overflows int`);
    return MISSING;
  }

  evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: unknown, variable: VariableNode, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(variable);
    const value = this.varValue(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [variable], final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: readonly string[], args: readonly ArgNode[] | undefined, final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i], node, undefined, NO_FINAL, receiver);
    return this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const fn = this.#opts.funcs.get(name);
    if (fn !== undefined) return this.evalCall(dot, fn, false, cmd, name, args, final);
    const builtin = this.#opts.builtins.get(name);
    if (builtin === undefined) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, builtin, true, cmd, name, args, final);
  }

  evalField(dot: unknown, fieldName: string, node: Node, args: readonly ArgNode[] | undefined, final: Final, receiver: unknown): unknown {
    if (receiver === MISSING) {
      if (this.#opts.missingKey === 'error') this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      return MISSING;
    }
    if (receiver === null || receiver === undefined) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const method = findMethod(receiver, fieldName);
    if (method !== undefined) return this.evalCall(dot, methodSpec(method, receiver), false, node, fieldName, args, final);
    const hasArgs = (args !== undefined && args.length > 1) || final !== NO_FINAL;
    const kind = kindOf(receiver);
    if (kind === 'struct') {
      const field = structField(receiver as object, fieldName);
      if (field !== MISSING) {
        if (!isExported(fieldName)) this.errorf(`${fieldName} is an unexported field of struct type ${typeName(receiver)}`);
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return field;
      }
    } else if (kind === 'map' && mapKeyType(receiver as object) === 'string') {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const v = mapGet(receiver as object, fieldName);
      if (v !== MISSING) return v;
      if (this.#opts.missingKey === 'error') this.errorf(`map has no entry for key ${quote(fieldName)}`);
      if (this.#opts.missingKey === 'zero') return zeroValue(elemType(typeName(receiver)));
      return MISSING;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  evalCall(dot: unknown, fn: FuncSpec, isBuiltin: boolean, node: Node, name: string, args: readonly ArgNode[] | undefined, final: Final): unknown {
    const callArgs = args === undefined ? [] : args.slice(1);
    const numIn = callArgs.length + (final !== NO_FINAL ? 1 : 0);
    let numFixed = callArgs.length;
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${callArgs.length}`);
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      // and/or stop at the first argument that decides the result, without evaluating the rest.
      let v: unknown = MISSING;
      for (const arg of callArgs) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== NO_FINAL) v = this.validateType(final, 'value');
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < callArgs.length; i++) argv.push(this.evalArg(dot, fn.params[i], callArgs[i]));
    if (fn.variadic !== undefined) for (; i < callArgs.length; i++) argv.push(this.evalArg(dot, fn.variadic, callArgs[i]));
    if (final !== NO_FINAL) {
      let t: ParamType | undefined = fn.params[fn.params.length - 1];
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    if (isBuiltin && name === 'call') {
      const callee = callArgs.length === 0 ? '' : nodeString(callArgs[0]);
      argv.unshift(callee);
    }
    let v: unknown;
    try {
      v = fn.call(...argv);
    } catch (err) {
      if (err instanceof ExecAbort || err === BREAK || err === CONTINUE) throw err;
      this.at(node);
      this.errorf(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return v === undefined ? null : v;
  }

  validateType(value: unknown, typ: ParamType | undefined): unknown {
    if (typ === undefined) return value;
    if (value === MISSING) {
      if (typ === 'any' || typ === '[]string') return null;
      if (typ === 'value') return MISSING;
      this.errorf(`invalid value; expected ${typ}`);
    }
    const kind = kindOf(value);
    switch (typ) {
      case 'any':
      case 'value':
        return value;
      case 'string':
        if (kind === 'string') return value;
        break;
      case 'int':
        if (kind === 'int') return value;
        break;
      case 'float64':
        // A whole float64 arrives from JSON as a JavaScript integer: accept ints too.
        if (kind === 'float' || kind === 'int') return toNumber(value);
        break;
      case 'bool':
        if (kind === 'bool') return value;
        break;
      case '[]string':
        if (kind === 'nil' || kind === 'slice') return value;
        break;
    }
    this.errorf(`wrong type for value; expected ${typ}; got ${typeName(value)}`);
  }

  evalArg(dot: unknown, typ: ParamType | undefined, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'value') return MISSING;
        if (typ === 'any' || typ === '[]string' || typ === undefined) return null;
        this.errorf(`cannot assign nil to ${typ}`);
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], NO_FINAL), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, undefined, NO_FINAL), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, undefined, NO_FINAL), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, undefined, NO_FINAL), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'float64':
        if (n.type === 'number' && n.num.isFloat) return n.num.float;
        this.errorf(`expected float; found ${nodeString(n)}`);
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'int':
        if (n.type === 'number' && n.num.isInt) return intValue(n.num.int);
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'any':
      case 'value':
      case undefined:
        return this.evalEmptyInterface(n);
      default:
        this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ}`);
    }
  }

  evalEmptyInterface(n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
      default:
        this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
    }
  }
}

/** Executes the template `name` of the set; on error, returns what was written before it. */
export function executeTree(name: string, data: unknown, opts: ExecOptions): ExecResult {
  const out: string[] = [];
  const tree = opts.trees.get(name);
  if (tree === undefined) {
    return { text: '', error: new TemplateError(`template: ${name}: ${quote(name)} is an incomplete or empty template`, 'exec') };
  }
  // Go's Execute(w, nil) runs on the invalid value: "{{.}}" prints "<no value>".
  if (data === null || data === undefined) data = MISSING;
  const state = new State(opts, tree, data, 0, out);
  try {
    state.walk(data, tree.root);
  } catch (err) {
    if (err instanceof ExecAbort) return { text: out.join(''), error: err.error };
    throw err;
  }
  return { text: out.join('') };
}
