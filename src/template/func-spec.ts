// How template functions and methods declare Go parameter types. Go checks a call's arguments
// against the function's signature ("wrong number of args for join: want 2 got 1", "expected
// integer; found \"5\"", "wrong type for value; expected string; got int"); a plain JavaScript
// function is taken to have fn.length parameters of type interface{}.

/**
 * A Go parameter type: 'any' is interface{} (a missing value arrives as null), 'value' is
 * reflect.Value (it arrives as is, MISSING included), the others must match the argument.
 */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'bool' | 'float64' | '[]string';

export interface FuncSpec {
  readonly params: readonly ParamType[];
  /** The element type of a trailing ...args parameter. */
  readonly variadic?: ParamType;
  // The arguments are checked against params before the call, so the function may declare them
  // with the types it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly call: (...args: any[]) => unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TemplateFunc = ((...args: any[]) => unknown) | FuncSpec;

const signature = Symbol('go signature');

/** Attaches a Go signature to a function (a template function or a method of a data object). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function goFunc<F extends (...args: any[]) => unknown>(fn: F, params: readonly ParamType[], variadic?: ParamType): F {
  Object.defineProperty(fn, signature, { value: { params, variadic, call: fn } satisfies FuncSpec, configurable: true });
  return fn;
}

export function toSpec(f: TemplateFunc): FuncSpec {
  if (typeof f !== 'function') return f;
  const attached = (f as { [signature]?: FuncSpec })[signature];
  if (attached !== undefined) return attached;
  return { params: Array.from({ length: f.length }, () => 'any' as const), call: f };
}

/** A method found on a data object, bound to it, with the signature of the unbound function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function methodSpec(unbound: (...args: any[]) => unknown, receiver: unknown): FuncSpec {
  const spec = toSpec(unbound);
  return { ...spec, call: (...args: unknown[]) => spec.call.apply(receiver, args) };
}
