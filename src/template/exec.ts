// Executing a parsed template against data, with Go's semantics for fields, methods, variables,
// pipelines and control structures, and its error messages.
import { TemplateError } from './lexer.ts';
import type { Arg, Command, Node, ParsedTemplate, Pipe } from './parser.ts';
import type { TemplateFunc } from './funcs.ts';
import { MISSING, formatValue, goType, isMap, isTrue, structName } from './values.ts';

class BreakSignal {}
class ContinueSignal {}

interface State {
  name: string;
  tmpl: ParsedTemplate;
  funcs: Record<string, TemplateFunc>;
  vars: Array<{ name: string; value: unknown }>;
  out: string[];
  depth: number;
}

function argText(a: Arg): string {
  switch (a.type) {
    case 'field':
      return '.' + a.idents.join('.');
    case 'variable':
      return a.name + a.idents.map((i) => '.' + i).join('');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.value);
    case 'number':
      return a.text;
    case 'string':
      return JSON.stringify(a.value);
    case 'identifier':
      return a.name;
    case 'pipe':
      return `(${a.pipe.text})`;
    case 'chain':
      return argText(a.node) + a.idents.map((i) => '.' + i).join('');
  }
}

export function execute(tmpl: ParsedTemplate, data: unknown, funcs: Record<string, TemplateFunc>, name = ''): string {
  const s: State = { name, tmpl, funcs, vars: [{ name: '$', value: data }], out: [], depth: 0 };
  walkList(s, data, tmpl.root);
  return s.out.join('');
}

function fail(s: State, pipe: Pipe, at: string, msg: string): never {
  throw new TemplateError(`template: ${s.name}:${pipe.line}:${pipe.col - 1}: executing "${s.name}" at <${at}>: ${msg}`);
}

function walkList(s: State, dot: unknown, nodes: Node[]): void {
  for (const n of nodes) walk(s, dot, n);
}

function walk(s: State, dot: unknown, node: Node): void {
  switch (node.type) {
    case 'text':
      s.out.push(node.text);
      return;
    case 'action': {
      const v = evalPipe(s, dot, node.pipe);
      if (node.pipe.decl.length === 0) s.out.push(printable(s, node.pipe, v));
      return;
    }
    case 'if':
    case 'with': {
      const mark = s.vars.length;
      const v = evalPipe(s, dot, node.pipe);
      if (isTrue(v)) walkList(s, node.type === 'with' ? v : dot, node.list);
      else if (node.elseList) walkList(s, dot, node.elseList);
      s.vars.length = mark;
      return;
    }
    case 'range': {
      const mark = s.vars.length;
      const v = evalPipe(s, dot, node.pipe);
      s.vars.length = mark;
      const items: Array<[unknown, unknown]> = [];
      if (Array.isArray(v)) v.forEach((x, i) => items.push([i, x]));
      else if (isMap(v)) for (const k of Object.keys(v).sort()) items.push([k, v[k]]);
      else if (typeof v === 'number' && Number.isInteger(v)) for (let i = 0; i < v; i++) items.push([i, i]);
      else if (v === null || v === undefined || v === MISSING) {
        // nothing to range over
      } else fail(s, node.pipe, node.pipe.text, `range can't iterate over ${formatValue(v)}`);
      if (items.length === 0) {
        if (node.elseList) walkList(s, dot, node.elseList);
        return;
      }
      for (const [k, x] of items) {
        const m = s.vars.length;
        if (node.pipe.decl.length === 1) setVar(s, node.pipe, node.pipe.decl[0], x);
        else if (node.pipe.decl.length === 2) {
          setVar(s, node.pipe, node.pipe.decl[0], k);
          setVar(s, node.pipe, node.pipe.decl[1], x);
        }
        try {
          walkList(s, x, node.list);
        } catch (e) {
          if (e instanceof BreakSignal) {
            s.vars.length = m;
            break;
          }
          if (!(e instanceof ContinueSignal)) throw e;
        }
        s.vars.length = m;
      }
      return;
    }
    case 'template': {
      const body = s.tmpl.defines.get(node.name);
      if (!body) throw new TemplateError(`template: ${s.name}: no such template "${node.name}"`);
      if (++s.depth > 100000) throw new TemplateError('template: exceeded maximum template depth');
      const newDot = node.pipe ? evalPipe(s, dot, node.pipe) : null;
      const saved = s.vars;
      s.vars = [{ name: '$', value: newDot }];
      walkList(s, newDot, body);
      s.vars = saved;
      s.depth--;
      return;
    }
    case 'break':
      throw new BreakSignal();
    case 'continue':
      throw new ContinueSignal();
  }
}

function printable(_s: State, _pipe: Pipe, v: unknown): string {
  return formatValue(v);
}

function setVar(s: State, pipe: Pipe, name: string, value: unknown): void {
  if (pipe.isAssign) {
    for (let i = s.vars.length - 1; i >= 0; i--) {
      if (s.vars[i].name === name) {
        s.vars[i].value = value;
        return;
      }
    }
  }
  s.vars.push({ name, value });
}

function evalPipe(s: State, dot: unknown, pipe: Pipe): unknown {
  let value: unknown = undefined;
  let has = false;
  for (const cmd of pipe.cmds) {
    value = evalCommand(s, dot, pipe, cmd, has ? [value] : []);
    has = true;
  }
  for (const d of pipe.decl) setVar(s, pipe, d, value);
  return value;
}

function evalCommand(s: State, dot: unknown, pipe: Pipe, cmd: Command, final: unknown[]): unknown {
  const [first, ...rest] = cmd.args;
  switch (first.type) {
    case 'field':
      return evalFieldChain(s, dot, pipe, argText(first), dot, first.idents, [...rest.map((a) => () => evalArg(s, dot, pipe, a)), ...final.map((v) => () => v)]);
    case 'chain': {
      const base = evalArg(s, dot, pipe, first.node);
      return evalFieldChain(s, dot, pipe, argText(first), base, first.idents, [...rest.map((a) => () => evalArg(s, dot, pipe, a)), ...final.map((v) => () => v)]);
    }
    case 'variable': {
      const v = lookupVar(s, pipe, first.name);
      if (first.idents.length === 0) {
        if (rest.length || final.length) fail(s, pipe, argText(first), `can't give argument to non-function ${first.name}`);
        return v;
      }
      return evalFieldChain(s, dot, pipe, argText(first), v, first.idents, [...rest.map((a) => () => evalArg(s, dot, pipe, a)), ...final.map((v2) => () => v2)]);
    }
    case 'identifier': {
      const fn = s.funcs[first.name];
      if (!fn) fail(s, pipe, first.name, `"${first.name}" is not a defined function`);
      const thunks = [...rest.map((a) => () => evalArg(s, dot, pipe, a)), ...final.map((v) => () => v)];
      try {
        if (fn.lazy) {
          if (thunks.length === 0) throw new TemplateError(`wrong number of args for ${first.name}: want at least 1 got 0`);
          return fn(...thunks);
        }
        return fn(...thunks.map((t) => t()));
      } catch (e) {
        if (e instanceof TemplateError && e.message.startsWith('template:')) throw e;
        const msg = (e as Error).message;
        fail(s, pipe, `${first.name}`, msg.startsWith('error calling') || msg.startsWith('wrong number') ? msg : `error calling ${first.name}: ${msg}`);
      }
    }
    // eslint-disable-next-line no-fallthrough
    case 'pipe': {
      const v = evalPipe(s, dot, first.pipe);
      if (rest.length || final.length) fail(s, pipe, argText(first), "can't give argument to non-function " + argText(first));
      return v;
    }
    default:
      if (rest.length || final.length) fail(s, pipe, argText(first), `can't give argument to non-function ${argText(first)}`);
      return evalArg(s, dot, pipe, first);
  }
}

function lookupVar(s: State, pipe: Pipe, name: string): unknown {
  for (let i = s.vars.length - 1; i >= 0; i--) if (s.vars[i].name === name) return s.vars[i].value;
  return fail(s, pipe, name, `undefined variable: ${name}`);
}

function evalArg(s: State, dot: unknown, pipe: Pipe, a: Arg): unknown {
  switch (a.type) {
    case 'dot':
      return dot;
    case 'nil':
      return null;
    case 'bool':
      return a.value;
    case 'number':
      return a.value;
    case 'string':
      return a.value;
    case 'field':
      return evalFieldChain(s, dot, pipe, argText(a), dot, a.idents, []);
    case 'variable': {
      const v = lookupVar(s, pipe, a.name);
      return a.idents.length ? evalFieldChain(s, dot, pipe, argText(a), v, a.idents, []) : v;
    }
    case 'chain':
      return evalFieldChain(s, dot, pipe, argText(a), evalArg(s, dot, pipe, a.node), a.idents, []);
    case 'pipe':
      return evalPipe(s, dot, a.pipe);
    case 'identifier': {
      const fn = s.funcs[a.name];
      return fn.lazy ? fn() : fn();
    }
  }
}

function evalFieldChain(s: State, _dot: unknown, pipe: Pipe, text: string, receiver: unknown, idents: string[], args: Array<() => unknown>): unknown {
  let v = receiver;
  for (let i = 0; i < idents.length; i++) {
    const last = i === idents.length - 1;
    v = evalField(s, pipe, text, v, idents[i], last ? args : []);
  }
  return v;
}

function evalField(s: State, pipe: Pipe, text: string, receiver: unknown, name: string, args: Array<() => unknown>): unknown {
  if (receiver === MISSING || receiver === null || receiver === undefined) {
    fail(s, pipe, text, `nil pointer evaluating interface {}.${name}`);
  }
  const typeName = structName(receiver);
  if (typeName !== undefined) {
    const obj = receiver as Record<string, unknown>;
    if (!(name in obj)) fail(s, pipe, text, `can't evaluate field ${name} in type ${typeName}`);
    const v = obj[name];
    if (typeof v === 'function') return (v as (...a: unknown[]) => unknown).apply(obj, args.map((a) => a()));
    if (args.length) fail(s, pipe, text, `${name} has arguments but cannot be invoked as function`);
    return v;
  }
  if (isMap(receiver)) {
    if (args.length) fail(s, pipe, text, `${name} is not a method but has arguments`);
    return Object.prototype.hasOwnProperty.call(receiver, name) ? receiver[name] : MISSING;
  }
  return fail(s, pipe, text, `can't evaluate field ${name} in type ${goType(receiver)}`);
}
