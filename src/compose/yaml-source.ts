// Compose files as YAML: documents turned into plain data the way compose-go's decoder sees them.
// We walk the `yaml` package's node tree ourselves (instead of toJS) because compose gives three
// constructs a meaning plain YAML has not: `!reset` drops a value (here and in the files merged
// before), `!override` replaces instead of merging, and `<<` merge keys (YAML 1.1) apply under
// the 1.2 core schema that compose otherwise uses (`yes` stays a string).
import YAML, { LineCounter, type Document, type Node as YamlNode } from 'yaml';
import { InvalidArgument } from '../errors/index.ts';
import { formatPath, isMapping, type Mapping, type TreePath } from './tree.ts';

export interface ComposeYamlDocument {
  value: Mapping;
  /** Paths tagged `!reset`: removed from what earlier files (or an extended service) defined. */
  resets: TreePath[];
  /** Paths tagged `!override`: earlier definitions removed so this one replaces them whole. */
  overrides: TreePath[];
}

// Bound on alias expansion: a "billion laughs" document must fail, not exhaust memory.
const maxNodeVisits = 100_000;

/** Every document of one compose file; an empty file has none. */
export function parseComposeYaml(text: string, filename: string): ComposeYamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { merge: true, uniqueKeys: true, prettyErrors: false, lineCounter });
  const out: ComposeYamlDocument[] = [];
  // A stream with no documents (an empty file) iterates as an empty list.
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new InvalidArgument(`failed to parse ${filename}: line ${lineCounter.linePos(err.pos[0]).line}: ${yamlMessage(err.message)}`);
    if (doc.contents === null) continue;
    const walker = new Walker(doc, filename);
    const value = walker.convert(doc.contents, []);
    if (!isMapping(value)) throw new InvalidArgument(`failed to parse ${filename}: top-level object must be a mapping`);
    out.push({ value, resets: walker.resets, overrides: walker.overrides });
  }
  return out;
}

function yamlMessage(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

const resetTag = '!reset';
const overrideTag = '!override';
const dropped = Symbol('dropped');

class Walker {
  readonly resets: TreePath[] = [];
  readonly overrides: TreePath[] = [];
  #visits = 0;
  #aliasStack: YamlNode[] = [];
  readonly #doc: Document.Parsed;
  readonly #filename: string;

  constructor(doc: Document.Parsed, filename: string) {
    this.#doc = doc;
    this.#filename = filename;
  }

  convert(node: YamlNode | null, path: string[]): unknown {
    const v = this.#node(node, path);
    return v === dropped ? null : v;
  }

  #node(node: YamlNode | null, path: string[]): unknown {
    if (++this.#visits > maxNodeVisits) {
      throw new InvalidArgument(`failed to parse ${this.#filename}: compose file exceeds maximum node visit limit (${maxNodeVisits})`);
    }
    if (node === null) return null;
    if (YAML.isAlias(node)) {
      const target = node.resolve(this.#doc) as YamlNode | undefined;
      if (!target) throw new InvalidArgument(`failed to parse ${this.#filename}: unknown anchor ${node.source}`);
      if (this.#aliasStack.includes(target)) {
        throw new InvalidArgument(`failed to parse ${this.#filename}: cycle detected: node at path ${formatPath(path)} references itself`);
      }
      this.#aliasStack.push(target);
      try {
        return this.#node(target, path);
      } finally {
        this.#aliasStack.pop();
      }
    }
    const tag = (node as { tag?: string }).tag;
    if (tag === resetTag) {
      this.resets.push([...path]);
      return dropped;
    }
    if (tag === overrideTag) this.overrides.push([...path]);
    if (YAML.isMap(node)) return this.#map(node, path);
    if (YAML.isSeq(node)) {
      const out: unknown[] = [];
      node.items.forEach((item, i) => {
        const v = this.#node(item as YamlNode | null, [...path, String(i)]);
        if (v !== dropped) out.push(v);
      });
      return out;
    }
    if (YAML.isScalar(node)) return scalarValue(node);
    return null;
  }

  #map(node: YAML.YAMLMap, path: string[]): Mapping {
    const out: Mapping = {};
    const explicit = new Set<string>();
    const merges: Mapping[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (YAML.isScalar(keyNode) && (typeof keyNode.value === 'symbol' || (keyNode.value === '<<' && keyNode.type === 'PLAIN'))) {
        // A merge key takes a mapping or a sequence of mappings; earlier ones win, and keys
        // written explicitly in this mapping win over all of them (YAML 1.1 merge semantics).
        const v = this.#node(pair.value as YamlNode | null, path);
        const sources = Array.isArray(v) ? v : [v];
        for (const s of sources) {
          if (!isMapping(s)) throw new InvalidArgument(`failed to parse ${this.#filename}: map merge requires map or sequence of maps as the value`);
          merges.push(s);
        }
        continue;
      }
      const key = this.#key(keyNode, path);
      explicit.add(key);
      const v = this.#node(pair.value as YamlNode | null, [...path, key]);
      if (v !== dropped) out[key] = v;
    }
    for (const m of merges) {
      for (const [k, v] of Object.entries(m)) {
        if (!explicit.has(k) && !(k in out)) out[k] = v;
      }
    }
    return out;
  }

  #key(keyNode: YamlNode | null, path: string[]): string {
    const value = YAML.isScalar(keyNode) ? scalarValue(keyNode) : keyNode === null ? null : undefined;
    if (typeof value === 'string') return value;
    const where = path.length === 0 ? 'at top level' : `in ${formatPath(path)}`;
    const shown = YAML.isScalar(keyNode) ? String(keyNode.source ?? keyNode.value) : 'a collection';
    throw new InvalidArgument(`failed to parse ${this.#filename}: non-string key ${where}: ${shown}`);
  }
}

function scalarValue(node: YAML.Scalar): unknown {
  const v = node.value;
  // go-yaml (compose's decoder) reads a leading-zero integer as octal, as YAML 1.1 did; file
  // modes (`mode: 0440`) depend on it.
  if (node.type === 'PLAIN' && typeof v === 'number' && typeof node.source === 'string' && /^[-+]?0[0-7]+$/.test(node.source)) {
    const neg = node.source.startsWith('-');
    const n = parseInt(node.source.replace(/^[-+]/, ''), 8);
    return neg ? -n : n;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}
