// Pass conditions of a metric: `min`/`max` bounds and an expression over `result` such as
// `result >= 95 && result < 100`. The expression language is deliberately tiny (comparisons of
// `result` and numbers, &&, ||, !, parentheses), parsed once when the config is loaded, so a
// typo is bad input (exit 2) and never a silent pass at release time.
import type { PassCondition } from '../config/analysis-types.js';

type Node =
  | { t: 'num'; v: number }
  | { t: 'result' }
  | { t: 'cmp'; op: string; a: Node; b: Node }
  | { t: 'and' | 'or'; a: Node; b: Node }
  | { t: 'not'; a: Node };

export type Predicate = (result: number) => boolean;

const TOKEN = /\s*(result\b|-?\d+(?:\.\d+)?(?:e[-+]?\d+)?|<=|>=|==|!=|&&|\|\||[<>()!])/iy;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read "${text.slice(at).trim()}"`);
    out.push(m[1]!);
    at = TOKEN.lastIndex;
  }
  return out;
}

/** Parses an expression; throws an Error saying what is wrong. */
export function parseCondition(text: string): Predicate {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (want?: string) => {
    const t = tokens[i++];
    if (t === undefined || (want !== undefined && t !== want))
      throw new Error(`expected ${want ?? 'more'} ${t === undefined ? 'at the end' : `before "${t}"`}`);
    return t;
  };
  const operand = (): Node => {
    const t = take();
    if (t === '(') {
      const n = or();
      take(')');
      return n;
    }
    if (t === '!') return { t: 'not', a: operand() };
    if (t.toLowerCase() === 'result') return { t: 'result' };
    const v = Number(t);
    if (Number.isFinite(v)) return { t: 'num', v };
    throw new Error(`unexpected "${t}"`);
  };
  const cmp = (): Node => {
    const a = operand();
    const op = peek();
    if (op && ['<', '<=', '>', '>=', '==', '!='].includes(op)) {
      i++;
      return { t: 'cmp', op, a, b: operand() };
    }
    return a;
  };
  const and = (): Node => {
    let n = cmp();
    while (peek() === '&&') {
      i++;
      n = { t: 'and', a: n, b: cmp() };
    }
    return n;
  };
  const or = (): Node => {
    let n = and();
    while (peek() === '||') {
      i++;
      n = { t: 'or', a: n, b: and() };
    }
    return n;
  };
  const root = or();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]}"`);
  if (!isBoolean(root)) throw new Error('the expression must compare `result`, e.g. `result >= 95`');
  return (result) => Boolean(evaluate(root, result));
}

function isBoolean(n: Node): boolean {
  return n.t === 'cmp' || n.t === 'and' || n.t === 'or' || n.t === 'not';
}

function evaluate(n: Node, r: number): number | boolean {
  switch (n.t) {
    case 'num':
      return n.v;
    case 'result':
      return r;
    case 'not':
      return !evaluate(n.a, r);
    case 'and':
      return Boolean(evaluate(n.a, r)) && Boolean(evaluate(n.b, r));
    case 'or':
      return Boolean(evaluate(n.a, r)) || Boolean(evaluate(n.b, r));
    case 'cmp': {
      const a = Number(evaluate(n.a, r));
      const b = Number(evaluate(n.b, r));
      if (n.op === '<') return a < b;
      if (n.op === '<=') return a <= b;
      if (n.op === '>') return a > b;
      if (n.op === '>=') return a >= b;
      if (n.op === '==') return a === b;
      return a !== b;
    }
  }
}

/** `min 95`, `max 500`, `result >= 0.9`: the limits of a metric as a person reads them. */
export function describeCondition(c: PassCondition): string {
  const parts: string[] = [];
  if (c.min !== undefined) parts.push(`min ${c.min}`);
  if (c.max !== undefined) parts.push(`max ${c.max}`);
  if (c.condition !== undefined) parts.push(`"${c.condition}"`);
  return parts.join(', ');
}

/** Whether a value passes every condition given. */
export function passes(c: PassCondition, value: number): boolean {
  if (c.min !== undefined && !(value >= c.min)) return false;
  if (c.max !== undefined && !(value <= c.max)) return false;
  if (c.condition !== undefined && !parseCondition(c.condition)(value)) return false;
  return true;
}
