// Variable substitution in compose files and .env files, with compose's grammar:
// $VAR ${VAR} ${VAR:-default} ${VAR-default} ${VAR:?err} ${VAR?err} ${VAR:+alt} ${VAR+alt} $$,
// defaults and messages substituted in turn (so defaults nest), `$` before anything else kept.
import { InvalidArgument } from '../errors/index.ts';
import { ITEM, findRule, formatPath, isMapping, rules, type Mapping } from './tree.ts';

/** Looks a variable up; undefined when it is not set (which differs from set to ""). */
export type Lookup = (name: string) => string | undefined;

export interface SubstituteOptions {
  /** Called once per use of an unset variable without a default (compose warns). */
  warnUnset?: (name: string) => void;
}

export class InvalidTemplateError extends InvalidArgument {
  readonly template: string;
  constructor(template: string) {
    super(`Invalid template: ${JSON.stringify(template)}`);
    this.template = template;
  }
}

export class MissingRequiredError extends InvalidArgument {
  constructor(variable: string, reason: string) {
    super(reason ? `required variable ${variable} is missing a value: ${reason}` : `required variable ${variable} is missing a value`);
  }
}

const nameStart = /[_a-zA-Z]/;
const nameChar = /[_a-zA-Z0-9]/;

export function substitute(template: string, lookup: Lookup, options: SubstituteOptions = {}): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      i++;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(template, i);
      if (close < 0) throw new InvalidTemplateError(template);
      out += braced(template.slice(i + 2, close), template, lookup, options);
      i = close + 1;
      continue;
    }
    if (nameStart.test(next)) {
      let j = i + 1;
      while (j < template.length && nameChar.test(template[j])) j++;
      const name = template.slice(i + 1, j);
      out += plain(name, lookup, options);
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

// compose counts braces from the `$`, skipping the character after each `{`.
function closingBrace(s: string, start: number): number {
  let open = 0;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '}') {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === '{') {
      open++;
      i++;
    }
  }
  return -1;
}

function plain(name: string, lookup: Lookup, options: SubstituteOptions): string {
  const v = lookup(name);
  if (v === undefined) {
    options.warnUnset?.(name);
    return '';
  }
  return v;
}

function braced(inner: string, template: string, lookup: Lookup, options: SubstituteOptions): string {
  let n = 0;
  if (!nameStart.test(inner[0] ?? '')) throw new InvalidTemplateError(template);
  while (n < inner.length && nameChar.test(inner[n])) n++;
  const name = inner.slice(0, n);
  if (n === inner.length) return plain(name, lookup, options);
  let op = inner[n];
  if (op === ':') op += inner[n + 1] ?? '';
  if (!['-', ':-', '+', ':+', '?', ':?'].includes(op) || inner.slice(n + op.length).includes('\n')) {
    throw new InvalidTemplateError(template);
  }
  const arg = inner.slice(n + op.length);
  const value = lookup(name);
  switch (op) {
    case ':-':
      return value === undefined || value === '' ? substitute(arg, lookup, options) : value;
    case '-':
      return value === undefined ? substitute(arg, lookup, options) : value;
    case ':+':
      return value !== undefined && value !== '' ? substitute(arg, lookup, options) : (value ?? '');
    case '+':
      return value !== undefined ? substitute(arg, lookup, options) : '';
    case ':?':
      if (value === undefined || value === '') throw new MissingRequiredError(name, substitute(arg, lookup, options));
      return value;
    default:
      if (value === undefined) throw new MissingRequiredError(name, substitute(arg, lookup, options));
      return value;
  }
}

// ---------------------------------------------------------------------------------------------
// Whole documents

type Cast = (value: string) => unknown;

const toInt: Cast = (v) => {
  if (!/^[-+]?\d+$/.test(v)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
};
const toFloat: Cast = (v) => {
  const n = Number(v.trim() === '' ? NaN : v);
  if (!Number.isFinite(n)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  return n;
};
/** YAML 1.1 spellings are accepted with a warning, as compose does. */
function toBoolean(warn: (message: string) => void): Cast {
  return (v) => {
    switch (v.toLowerCase()) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'y':
      case 'yes':
      case 'on':
        warn(`${JSON.stringify(v)} for boolean is not supported by YAML 1.2, please use \`true\``);
        return true;
      case 'n':
      case 'no':
      case 'off':
        warn(`${JSON.stringify(v)} for boolean is not supported by YAML 1.2, please use \`false\``);
        return false;
      default:
        throw new Error(`invalid boolean: ${v}`);
    }
  };
}

// The values compose converts from strings after substitution, so `privileged: ${PRIV}` and
// `"8080"` targets come out typed.
function castRules(warn: (message: string) => void): Array<readonly [readonly string[], Cast]> {
  const bool = toBoolean(warn);
  return rules<Cast>({
    'services.*.cpu_count': toInt,
    'services.*.cpu_percent': toFloat,
    'services.*.cpu_period': toInt,
    'services.*.cpu_quota': toInt,
    'services.*.cpu_rt_period': toInt,
    'services.*.cpu_rt_runtime': toInt,
    'services.*.cpus': toFloat,
    'services.*.cpu_shares': toInt,
    'services.*.init': bool,
    'services.*.depends_on.*.required': bool,
    'services.*.depends_on.*.restart': bool,
    'services.*.deploy.replicas': toInt,
    'services.*.deploy.update_config.parallelism': toInt,
    'services.*.deploy.update_config.max_failure_ratio': toFloat,
    'services.*.deploy.rollback_config.parallelism': toInt,
    'services.*.deploy.rollback_config.max_failure_ratio': toFloat,
    'services.*.deploy.restart_policy.max_attempts': toInt,
    'services.*.deploy.placement.max_replicas_per_node': toInt,
    'services.*.healthcheck.retries': toInt,
    'services.*.healthcheck.disable': bool,
    'services.*.oom_kill_disable': bool,
    'services.*.oom_score_adj': toInt,
    'services.*.pids_limit': toInt,
    [`services.*.ports.${ITEM}.target`]: toInt,
    'services.*.privileged': bool,
    'services.*.read_only': bool,
    'services.*.scale': toInt,
    'services.*.stdin_open': bool,
    'services.*.tty': bool,
    'services.*.ulimits.*': toInt,
    'services.*.ulimits.*.hard': toInt,
    'services.*.ulimits.*.soft': toInt,
    [`services.*.volumes.${ITEM}.read_only`]: bool,
    [`services.*.volumes.${ITEM}.volume.nocopy`]: bool,
    'networks.*.external': bool,
    'networks.*.internal': bool,
    'networks.*.attachable': bool,
    'networks.*.enable_ipv4': bool,
    'networks.*.enable_ipv6': bool,
    'volumes.*.external': bool,
    'secrets.*.external': bool,
    'configs.*.external': bool,
  });
}

export interface InterpolateOptions {
  lookup: Lookup;
  warn: (message: string) => void;
}

/** Substitutes every string of a document, then casts the strings compose types. */
export function interpolateDocument(doc: Mapping, options: InterpolateOptions): Mapping {
  const casts = castRules(options.warn);
  const warned = new Set<string>();
  const substituteOptions: SubstituteOptions = {
    warnUnset: (name) => {
      if (warned.has(name)) return;
      warned.add(name);
      options.warn(`The ${JSON.stringify(name)} variable is not set. Defaulting to a blank string.`);
    },
  };
  const walk = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string') {
      let s: string;
      try {
        s = substitute(value, options.lookup, substituteOptions);
      } catch (err) {
        if (err instanceof InvalidTemplateError) {
          throw new InvalidArgument(`invalid interpolation format for ${formatPath(path)}.\nYou may need to escape any $ with another $.\n${err.template}`);
        }
        throw new InvalidArgument(`error while interpolating ${formatPath(path)}: ${(err as Error).message}`);
      }
      const cast = findRule(casts, path);
      if (!cast) return s;
      try {
        return cast(s);
      } catch (err) {
        throw new InvalidArgument(`error while interpolating ${formatPath(path)}: failed to cast to expected type: ${(err as Error).message}`);
      }
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, [...path, ITEM]));
    if (isMapping(value)) {
      const out: Mapping = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  return walk(doc, []) as Mapping;
}

export function lookupIn(env: Readonly<Record<string, string>>): Lookup {
  return (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined);
}


export interface TemplateVariable {
  name: string;
  required: boolean;
  defaultValue: string;
  alternateValue: string;
}

/**
 * The variables a model's strings use, as compose-go's ExtractVariables finds them (`config
 * --variables`): `$NAME`, `${NAME}`, and the braced forms with `:-`/`-` defaults, `:?`/`?`
 * requirements and `:+`/`+` alternate values. `$$` is an escaped dollar, not a variable.
 */
export function extractVariables(value: unknown, into = new Map<string, TemplateVariable>()): Map<string, TemplateVariable> {
  if (typeof value === 'string') {
    const re = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([^}]*)\})/g;
    for (const m of value.matchAll(re)) {
      if (m[1]) continue;
      const body = m[2] ?? m[3] ?? '';
      const i = body.search(/[^_a-zA-Z0-9]/);
      const name = i > 0 ? body.slice(0, i) : body;
      if (!name) continue;
      const rest = i > 0 ? body.slice(i) : '';
      const v: TemplateVariable = { name, required: false, defaultValue: '', alternateValue: '' };
      if (rest.startsWith(':?') || rest.startsWith('?')) v.required = true;
      else if (rest.startsWith(':-')) v.defaultValue = rest.slice(2);
      else if (rest.startsWith('-')) v.defaultValue = rest.slice(1);
      else if (rest.startsWith(':+')) v.alternateValue = rest.slice(2);
      else if (rest.startsWith('+')) v.alternateValue = rest.slice(1);
      into.set(name, v);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) extractVariables(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      extractVariables(k, into);
      extractVariables(v, into);
    }
  }
  return into;
}
