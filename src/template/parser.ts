// The parser of Go's text/template: a tree of lists, text, actions and control structures.
import { TemplateError, lex, type Token } from './lexer.ts';

export type Arg =
  | { type: 'field'; idents: string[] }
  | { type: 'variable'; name: string; idents: string[] }
  | { type: 'dot' }
  | { type: 'nil' }
  | { type: 'bool'; value: boolean }
  | { type: 'number'; value: number; isInt: boolean; text: string }
  | { type: 'string'; value: string }
  | { type: 'identifier'; name: string }
  | { type: 'pipe'; pipe: Pipe }
  | { type: 'chain'; node: Arg; idents: string[] };

export interface Command {
  args: Arg[];
}

export interface Pipe {
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
  line: number;
  col: number;
  /** The source text of the pipeline, for error messages ("at <.Foo>"). */
  text: string;
}

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe }
  | { type: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { type: 'template'; name: string; pipe?: Pipe }
  | { type: 'break' | 'continue' };

export interface ParsedTemplate {
  root: Node[];
  defines: Map<string, Node[]>;
}

function unquote(tok: Token, name: string): string {
  const v = tok.value;
  if (tok.kind === 'rawString') return v.slice(1, -1);
  const inner = v.slice(1, -1);
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = inner[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
    if (n === 'x') {
      out += String.fromCharCode(parseInt(inner.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u') {
      out += String.fromCodePoint(parseInt(inner.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (n === 'U') {
      out += String.fromCodePoint(parseInt(inner.slice(i + 1, i + 9), 16));
      i += 8;
    } else if (n in simple) out += simple[n];
    else throw new TemplateError(`template: ${name}:${tok.line}: invalid syntax`);
  }
  return out;
}

export function parse(name: string, input: string, funcs: ReadonlySet<string>): ParsedTemplate {
  const tokens = lex(name, input);
  let i = 0;
  const defines = new Map<string, Node[]>();
  const vars: string[][] = [['$']];

  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const peekNonSpace = () => {
    let j = i;
    while (tokens[j].kind === 'space') j++;
    return tokens[j];
  };
  const nextNonSpace = () => {
    let t = next();
    while (t.kind === 'space') t = next();
    return t;
  };
  const fail = (msg: string, tok: Token = tokens[Math.max(0, i - 1)]): never => {
    throw new TemplateError(`template: ${name}:${tok.line}: ${msg}`);
  };
  const unexpected = (tok: Token, context: string): never => {
    const what = tok.kind === 'eof' ? 'EOF' : tok.kind === 'rightDelim' ? '"}}"' : `"${tok.value}"`;
    return fail(`unexpected ${what} in ${context}`, tok);
  };
  const expectRight = (context: string) => {
    const t = nextNonSpace();
    if (t.kind !== 'rightDelim') unexpected(t, context);
  };
  const hasVar = (v: string) => vars.some((scope) => scope.includes(v));

  /** Parses nodes until {{end}} / {{else}}; returns them and which one stopped the list. */
  const itemList = (context: string, allowElse: boolean): { nodes: Node[]; stop: 'end' | 'else' | 'eof' } => {
    const nodes: Node[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') {
        if (context === 'top') return { nodes, stop: 'eof' };
        return fail(`unexpected EOF`, t);
      }
      if (t.kind === 'text') {
        nodes.push({ type: 'text', text: next().value });
        continue;
      }
      // leftDelim
      next();
      const kw = peekNonSpace();
      if (kw.kind === 'keyword' && (kw.value === 'end' || kw.value === 'else')) {
        nextNonSpace();
        if (context === 'top') fail(`unexpected {{${kw.value}}}`, kw);
        if (kw.value === 'end') {
          expectRight('end');
          return { nodes, stop: 'end' };
        }
        if (!allowElse) fail('unexpected {{else}}', kw);
        return { nodes, stop: 'else' };
      }
      const node = action();
      if (node) nodes.push(node);
    }
  };

  const action = (): Node | undefined => {
    const t = peekNonSpace();
    if (t.kind === 'keyword') {
      nextNonSpace();
      switch (t.value) {
        case 'if':
        case 'with':
        case 'range':
          return control(t.value);
        case 'template':
          return templateCall();
        case 'block': {
          const node = templateCall();
          const body = itemList('block', false);
          if (body.stop !== 'end') fail('unexpected EOF');
          defines.set(node.name, body.nodes);
          return node;
        }
        case 'define': {
          const nameTok = nextNonSpace();
          if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString') unexpected(nameTok, 'define clause');
          expectRight('define clause');
          const body = itemList('define', false);
          defines.set(unquote(nameTok, name), body.nodes);
          return undefined;
        }
        case 'break':
        case 'continue':
          expectRight(t.value);
          return { type: t.value };
      }
    }
    const pipe = pipeline('command', 'rightDelim');
    return { type: 'action', pipe };
  };

  const templateCall = (): { type: 'template'; name: string; pipe?: Pipe } => {
    const nameTok = nextNonSpace();
    if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString') unexpected(nameTok, 'template clause');
    const tname = unquote(nameTok, name);
    if (peekNonSpace().kind === 'rightDelim') {
      nextNonSpace();
      return { type: 'template', name: tname };
    }
    return { type: 'template', name: tname, pipe: pipeline('template clause', 'rightDelim') };
  };

  const control = (kind: 'if' | 'with' | 'range'): Node => {
    vars.push([]);
    const pipe = pipeline(kind, 'rightDelim');
    const body = itemList(kind, true);
    let elseList: Node[] | undefined;
    if (body.stop === 'else') {
      const t = peekNonSpace();
      if ((kind === 'if' || kind === 'with') && t.kind === 'keyword' && t.value === kind) {
        // {{else if …}} / {{else with …}}: a nested control that shares our {{end}}
        nextNonSpace();
        vars.pop();
        vars.push([]);
        const nested = control(kind);
        vars.pop();
        return { type: kind, pipe, list: body.nodes, elseList: [nested] };
      }
      expectRight('else');
      const rest = itemList(kind, false);
      elseList = rest.nodes;
    }
    vars.pop();
    return { type: kind, pipe, list: body.nodes, ...(elseList ? { elseList } : {}) };
  };

  const pipeline = (context: string, end: 'rightDelim' | 'rightParen'): Pipe => {
    const first = peekNonSpace();
    const startIdx = i;
    const pipe: Pipe = { decl: [], isAssign: false, cmds: [], line: first.line, col: first.col, text: '' };
    // declarations: $x := / $x = / $i, $e :=
    const save = i;
    const v = nextNonSpace();
    if (v.kind === 'variable') {
      const after = peekNonSpace();
      if (after.kind === 'declare' || after.kind === 'assign') {
        nextNonSpace();
        pipe.decl.push(v.value);
        pipe.isAssign = after.kind === 'assign';
        if (after.kind === 'declare') vars[vars.length - 1].push(v.value);
        else if (!hasVar(v.value)) fail(`undefined variable "${v.value}"`, v);
      } else if (after.kind === 'comma' && context === 'range') {
        nextNonSpace();
        const v2 = nextNonSpace();
        if (v2.kind !== 'variable') fail('range can only initialize variables', v2);
        const d = nextNonSpace();
        if (d.kind !== 'declare' && d.kind !== 'assign') fail('range can only initialize variables', d);
        pipe.decl.push(v.value, v2.value);
        pipe.isAssign = d.kind === 'assign';
        if (d.kind === 'declare') vars[vars.length - 1].push(v.value, v2.value);
      } else i = save;
    } else i = save;

    for (;;) {
      const t = peekNonSpace();
      if (t.kind === end) {
        nextNonSpace();
        break;
      }
      if (t.kind === 'eof' || (t.kind === 'rightDelim' && end === 'rightParen') || (t.kind === 'rightParen' && end === 'rightDelim')) {
        unexpected(t, t.kind === 'rightParen' ? 'operand' : context === 'command' ? 'command' : 'operand');
      }
      pipe.cmds.push(command(end));
      const sep = peekNonSpace();
      if (sep.kind === 'pipe') {
        nextNonSpace();
        if (peekNonSpace().kind === end) fail('missing command');
      }
    }
    if (pipe.cmds.length === 0) fail(`missing value for ${context}`);
    pipe.text = tokens
      .slice(startIdx, i - 1)
      .map((t) => t.value)
      .join('')
      .trim();
    return pipe;
  };

  const command = (end: 'rightDelim' | 'rightParen'): Command => {
    const args: Arg[] = [];
    for (;;) {
      if (peek().kind === 'space') next();
      const t = peek();
      if (t.kind === end || t.kind === 'pipe' || t.kind === 'eof' || t.kind === 'rightDelim' || t.kind === 'rightParen') break;
      const arg = operand();
      args.push(arg);
      const n = peek();
      if (n.kind !== 'space' && n.kind !== end && n.kind !== 'pipe' && n.kind !== 'rightDelim' && n.kind !== 'rightParen') {
        unexpected(n, 'operand');
      }
    }
    if (args.length === 0) fail('missing value for command');
    return { args };
  };

  const operand = (): Arg => {
    const node = term();
    const idents: string[] = [];
    while (peek().kind === 'field') idents.push(next().value.slice(1));
    if (!idents.length) return node;
    if (node.type === 'field') return { type: 'field', idents: [...node.idents, ...idents] };
    if (node.type === 'variable') return { type: 'variable', name: node.name, idents: [...node.idents, ...idents] };
    if (node.type === 'bool' || node.type === 'string' || node.type === 'number' || node.type === 'nil' || node.type === 'dot') {
      fail(`unexpected . after term ${JSON.stringify(node.type)}`);
    }
    return { type: 'chain', node, idents };
  };

  const term = (): Arg => {
    const t = next();
    switch (t.kind) {
      case 'identifier':
        if (!funcs.has(t.value)) fail(`function "${t.value}" not defined`, t);
        return { type: 'identifier', name: t.value };
      case 'dot':
        return { type: 'dot' };
      case 'nil':
        return { type: 'nil' };
      case 'variable':
        if (!hasVar(t.value)) fail(`undefined variable "${t.value}"`, t);
        return { type: 'variable', name: t.value, idents: [] };
      case 'field':
        return { type: 'field', idents: [t.value.slice(1)] };
      case 'bool':
        return { type: 'bool', value: t.value === 'true' };
      case 'number': {
        const text = t.value.replace(/_/g, '');
        const isInt = /^[+-]?(0[xX][0-9a-fA-F]+|\d+)$/.test(text);
        const value = isInt ? Number(text.replace(/^([+-]?)0[xX]/, '$10x')) : Number(text);
        if (Number.isNaN(value)) fail(`bad number syntax: "${t.value}"`, t);
        return { type: 'number', value: text.startsWith('-0x') ? -Number(text.slice(1)) : value, isInt, text };
      }
      case 'char': {
        const s = unquote({ ...t, value: `"${t.value.slice(1, -1)}"`, kind: 'string' }, name);
        return { type: 'number', value: s.codePointAt(0) ?? 0, isInt: true, text: t.value };
      }
      case 'string':
      case 'rawString':
        return { type: 'string', value: unquote(t, name) };
      case 'leftParen':
        return { type: 'pipe', pipe: pipeline('parenthesized pipeline', 'rightParen') };
      default:
        return unexpected(t, 'operand');
    }
  };

  const top = itemList('top', false);
  return { root: top.nodes, defines };
}
