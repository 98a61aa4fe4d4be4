// The parser of Go's text/template (text/template/parse/parse.go and node.go): the same grammar,
// the same three-token look-ahead, the same node positions (which execution errors report) and
// the same error messages.
import { Lexer, itemString, type Item, type ItemType } from './lexer.ts';
import { quote, unquote } from '../lib/index.ts';
import { parseNumberLiteral, type NumberLiteral } from './literal.ts';
import { TemplateError } from './template-error.ts';

/** One parsed template: {{define}} and {{block}} add more trees to the same set. */
export interface Tree {
  name: string;
  /** The name of the top-level template of the parse, used in error locations. */
  parseName: string;
  text: string;
  root: ListNode;
}

interface Base {
  pos: number;
  tree: Tree;
}

export interface ListNode extends Base {
  type: 'list';
  nodes: Node[];
}
export interface TextNode extends Base {
  type: 'text';
  text: string;
}
export interface CommentNode extends Base {
  type: 'comment';
  text: string;
}
export interface ActionNode extends Base {
  type: 'action';
  line: number;
  pipe: PipeNode;
}
export interface PipeNode extends Base {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Base {
  type: 'command';
  args: ArgNode[];
}
export interface FieldNode extends Base {
  type: 'field';
  ident: string[];
}
export interface ChainNode extends Base {
  type: 'chain';
  node: ArgNode;
  field: string[];
}
export interface VariableNode extends Base {
  type: 'variable';
  ident: string[];
}
export interface IdentifierNode extends Base {
  type: 'identifier';
  ident: string;
}
export interface DotNode extends Base {
  type: 'dot';
}
export interface NilNode extends Base {
  type: 'nil';
}
export interface BoolNode extends Base {
  type: 'bool';
  value: boolean;
}
export interface NumberNode extends Base {
  type: 'number';
  text: string;
  num: NumberLiteral;
}
export interface StringNode extends Base {
  type: 'string';
  quoted: string;
  text: string;
}
export interface BranchNode extends Base {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface TemplateNode extends Base {
  type: 'template';
  line: number;
  name: string;
  pipe: PipeNode | undefined;
}
export interface BreakNode extends Base {
  type: 'break' | 'continue';
  line: number;
}
interface EndNode extends Base {
  type: 'end';
}
interface ElseNode extends Base {
  type: 'else';
  line: number;
}

export type ArgNode = FieldNode | ChainNode | VariableNode | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | PipeNode;
export type Node = ListNode | TextNode | CommentNode | ActionNode | BranchNode | TemplateNode | BreakNode | ArgNode | CommandNode;
type ItemNode = Node | EndNode | ElseNode;

/** Go's Node.String(): the node as template source, used in "executing … at <…>" messages. */
export function nodeString(n: ItemNode): string {
  switch (n.type) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return n.text;
    case 'comment':
      return `{{${n.text}}}`;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field':
      return n.ident.map((i) => '.' + i).join('');
    case 'chain':
      return (n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => '.' + f).join('');
    case 'variable':
      return n.ident.join('.');
    case 'identifier':
      return n.ident;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
    }
    case 'template':
      return n.pipe ? `{{template ${quote(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${quote(n.name)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
  }
}

/** Whether a tree holds nothing but space (an empty definition does not replace another). */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    case 'comment':
      return true;
    default:
      return false;
  }
}

class Abort {
  readonly error: TemplateError;
  constructor(error: TemplateError) {
    this.error = error;
  }
}

class TreeParser {
  readonly tree: Tree;
  readonly #funcs: ReadonlySet<string>;
  readonly #lex: Lexer;
  readonly #treeSet: Map<string, Tree>;
  #token: Item[] = [];
  #peekCount = 0;
  #vars: string[] = ['$'];
  #actionLine = 0;
  #rangeDepth = 0;

  constructor(tree: Tree, lex: Lexer, funcs: ReadonlySet<string>, treeSet: Map<string, Tree>) {
    this.tree = tree;
    this.#lex = lex;
    this.#funcs = funcs;
    this.#treeSet = treeSet;
  }

  // ---- tokens --------------------------------------------------------------------------------

  next(): Item {
    if (this.#peekCount > 0) this.#peekCount--;
    else this.#token[0] = this.#lex.nextItem();
    return this.#token[this.#peekCount];
  }

  backup(): void {
    this.#peekCount++;
  }

  backup2(t1: Item): void {
    this.#token[1] = t1;
    this.#peekCount = 2;
  }

  backup3(t2: Item, t1: Item): void {
    this.#token[1] = t1;
    this.#token[2] = t2;
    this.#peekCount = 3;
  }

  peek(): Item {
    if (this.#peekCount > 0) return this.#token[this.#peekCount - 1];
    this.#peekCount = 1;
    this.#token[0] = this.#lex.nextItem();
    return this.#token[0];
  }

  nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === 'space');
    return token;
  }

  peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // ---- errors --------------------------------------------------------------------------------

  errorf(message: string): never {
    const line = this.#token[0]?.line ?? 1;
    throw new Abort(new TemplateError(`template: ${this.tree.parseName}:${line}: ${message}`, 'parse'));
  }

  expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  expectOneOf(e1: ItemType, e2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== e1 && token.type !== e2) this.unexpected(token, context);
    return token;
  }

  unexpected(token: Item, context: string): never {
    if (token.type === 'error') {
      let extra = '';
      if (this.#actionLine !== 0 && this.#actionLine !== token.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.#actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  unquote(text: string): string {
    try {
      return unquote(text);
    } catch (err) {
      this.errorf((err as Error).message);
    }
  }

  // ---- structure -----------------------------------------------------------------------------

  add(): void {
    const existing = this.#treeSet.get(this.tree.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.#treeSet.set(this.tree.name, this.tree);
      return;
    }
    if (!isEmptyTree(this.tree.root)) this.errorf(`template: multiple definition of template ${quote(this.tree.name)}`);
  }

  child(name: string): TreeParser {
    const tree: Tree = { name, parseName: this.tree.parseName, text: this.tree.text, root: this.newList(0) };
    return new TreeParser(tree, this.#lex, this.#funcs, this.#treeSet);
  }

  newList(pos: number): ListNode {
    return { type: 'list', pos, tree: this.tree, nodes: [] };
  }

  parse(): void {
    this.tree.root = this.newList(this.peek().pos);
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          this.child('definition').parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.tree.root.nodes.push(n as Node);
    }
  }

  parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf('string', 'rawString', context);
    this.tree.name = this.unquote(name.val);
    this.expect('rightDelim', context);
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  itemList(): [ListNode, EndNode | ElseNode] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  textOrAction(): ItemNode {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'text':
        return { type: 'text', pos: token.pos, tree: this.tree, text: token.val };
      case 'leftDelim': {
        this.#actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.#actionLine = 0;
        }
      }
      case 'comment':
        return { type: 'comment', pos: token.pos, tree: this.tree, text: token.val };
      default:
        this.unexpected(token, 'input');
    }
  }

  action(): ItemNode {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.breakControl(token);
      case 'else':
        return this.elseControl();
      case 'end':
        return this.endControl();
      case 'if':
        return this.branchControl('if');
      case 'range':
        return this.branchControl('range');
      case 'template':
        return this.templateControl();
      case 'with':
        return this.branchControl('with');
    }
    this.backup();
    const first = this.peek();
    // Variables declared here persist until the enclosing {{end}}.
    return { type: 'action', pos: first.pos, tree: this.tree, line: first.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  breakControl(keyword: Item): BreakNode {
    const type = keyword.type as 'break' | 'continue';
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, `{{${type}}}`);
    if (this.#rangeDepth === 0) this.errorf(`{{${type}}} outside {{range}}`);
    return { type, pos: keyword.pos, tree: this.tree, line: keyword.line };
  }

  pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: token.pos, tree: this.tree, line: token.line, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      this.next();
      // "$x foo" needs three tokens of look-ahead to tell a use of $x from a declaration.
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.#vars.push(v.val);
      } else if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.#vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.type === 'space') {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.type) {
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0].type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  parseControl(context: 'if' | 'range' | 'with'): Omit<BranchNode, 'type' | 'tree'> {
    const mark = this.#vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.#rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === 'range') this.#rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        // {{else if …}} and {{else with …}} are {{else}}{{if …}}…{{end}}{{end}} with one {{end}}.
        if (context === 'if' && this.peek().type === 'if') {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branchControl('if'));
        } else if (context === 'with' && this.peek().type === 'with') {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branchControl('with'));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.#vars.length = mark;
    }
  }

  branchControl(type: 'if' | 'range' | 'with'): BranchNode {
    return { type, tree: this.tree, ...this.parseControl(type) };
  }

  elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: peek.pos, tree: this.tree, line: peek.line };
    const token = this.expect('rightDelim', 'else');
    return { type: 'else', pos: token.pos, tree: this.tree, line: token.line };
  }

  endControl(): EndNode {
    return { type: 'end', pos: this.expect('rightDelim', 'end').pos, tree: this.tree };
  }

  blockControl(): TemplateNode {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = this.child(name);
    const [list, end] = block.itemList();
    block.tree.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return { type: 'template', pos: token.pos, tree: this.tree, line: token.line, name, pipe };
  }

  templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: token.pos, tree: this.tree, line: token.line, name, pipe };
  }

  parseTemplateName(token: Item, context: string): string {
    if (token.type === 'string' || token.type === 'rawString') return this.unquote(token.val);
    this.unexpected(token, context);
  }

  command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, tree: this.tree, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== 'field') return node;
    const chain: ChainNode = { type: 'chain', pos: this.peek().pos, tree: this.tree, node, field: [] };
    while (this.peek().type === 'field') chain.field.push(this.next().val.slice(1));
    // .X.Y and $x.Y stay plain field and variable nodes; literals cannot have fields.
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: chain.pos, tree: this.tree, ident: [...node.ident, ...chain.field] };
      case 'variable':
        return { type: 'variable', pos: chain.pos, tree: this.tree, ident: [...node.ident, ...chain.field] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      default:
        return chain;
    }
  }

  term(): ArgNode | undefined {
    const token = this.nextNonSpace();
    const base = { pos: token.pos, tree: this.tree };
    switch (token.type) {
      case 'identifier':
        if (!this.#funcs.has(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return { type: 'identifier', ...base, ident: token.val };
      case 'dot':
        return { type: 'dot', ...base };
      case 'nil':
        return { type: 'nil', ...base };
      case 'variable':
        return this.useVar(token.pos, token.val);
      case 'field':
        return { type: 'field', ...base, ident: token.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', ...base, value: token.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        try {
          return { type: 'number', ...base, text: token.val, num: parseNumberLiteral(token.val, token.type === 'charConstant' ? 'char' : token.type === 'complex' ? 'complex' : 'number') };
        } catch (err) {
          this.errorf((err as Error).message);
        }
      // eslint-disable-next-line no-fallthrough -- errorf never returns
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { type: 'string', ...base, quoted: token.val, text: this.unquote(token.val) };
    }
    this.backup();
    return undefined;
  }

  newVariable(pos: number, name: string): VariableNode {
    return { type: 'variable', pos, tree: this.tree, ident: name.split('.') };
  }

  useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.#vars.includes(v.ident[0])) this.errorf(`undefined variable ${quote(v.ident[0])}`);
    return v;
  }
}

/**
 * Parses `text` as the template `name`, adding it and the templates it defines to `treeSet`.
 * `funcs` names the functions the template may call; throws TemplateError with Go's message.
 */
export function parse(name: string, text: string, funcs: ReadonlySet<string>, treeSet: Map<string, Tree> = new Map()): Map<string, Tree> {
  const lex = new Lexer(text, { breakOK: !funcs.has('break'), continueOK: !funcs.has('continue') });
  const tree: Tree = { name, parseName: name, text, root: { type: 'list', pos: 0, tree: undefined as unknown as Tree, nodes: [] } };
  tree.root.tree = tree;
  const p = new TreeParser(tree, lex, funcs, treeSet);
  try {
    p.parse();
    p.add();
  } catch (err) {
    if (err instanceof Abort) throw err.error;
    throw err;
  }
  return treeSet;
}
