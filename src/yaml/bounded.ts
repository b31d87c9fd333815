// YAML input with bounds: cutover reads cutover.yaml, kubeconfigs and manifest folders that CI
// hands it, so loading must cost time linear in the size and refuse absurd input with a message
// (exit 2 at the caller, which names the file) instead of running for minutes or exhausting memory.
//
// - Duplicate keys: the yaml package's own check (uniqueKeys) compares every key with every
//   other key of its map — quadratic: 20 000 keys took 30 s. It is turned off and replaced by a
//   linear check (one Set per map) that reports the same thing.
// - Size: a file above YAML_LIMITS.maxBytes is refused before parsing.
// - Aliases: the nodes an alias expands to are counted (each anchor's size once, memoised); a
//   document that would expand past YAML_LIMITS.maxExpandedNodes (a "billion laughs") is refused
//   before anything converts it to JavaScript.
// - Nesting: deeper than YAML_LIMITS.maxDepth is refused (and a parser stack overflow on deeper
//   input becomes the same message).
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments as yamlParseAll,
  parseDocument as yamlParseDocument,
  Document,
  YAMLParseError,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

export const YAML_LIMITS = {
  /** Bytes per file (UTF-8). A kubeconfig with many embedded certificates is well under 1 MiB. */
  maxBytes: 8 * 1024 * 1024,
  /** Nodes a document may expand to once every alias is replaced by what it names. */
  maxExpandedNodes: 1_000_000,
  /** Nesting of maps and sequences. */
  maxDepth: 200,
} as const;

type Options = ParseOptions & DocumentOptions & SchemaOptions;

function limitError(doc: Document.Parsed | Document, offset: number, message: string): void {
  // Reported like a syntax error, so every caller's existing handling names the file.
  doc.errors.push(new YAMLParseError([offset, offset + 1], 'IMPOSSIBLE', message));
}

function tooBig(text: string): string | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= YAML_LIMITS.maxBytes) return undefined;
  return `${bytes} bytes is above the limit of ${YAML_LIMITS.maxBytes} bytes for one YAML file`;
}

function refusedDocument(message: string): Document.Parsed {
  const doc = new Document() as Document.Parsed;
  limitError(doc, 0, message);
  return doc;
}

/** Walks a parsed document once: duplicate keys, depth, and the size aliases expand to. */
function checkBounds(doc: Document.Parsed): void {
  const sizes = new Map<unknown, number>();
  let problem: { offset: number; message: string } | undefined;
  const fail = (node: unknown, message: string) => {
    if (!problem) problem = { offset: (node as { range?: number[] })?.range?.[0] ?? 0, message };
  };
  // Post-order over an explicit stack (no recursion: depth is what we are checking).
  type Frame = { node: unknown; depth: number; children?: unknown[]; next: number; size: number };
  const childrenOf = (node: unknown): unknown[] => {
    if (isMap(node)) {
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const pair of node.items) {
        if (isPair(pair)) {
          const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
          if (key !== undefined) {
            if (seen.has(key)) fail(pair.key, `Map keys must be unique: "${key}" is repeated`);
            seen.add(key);
          }
          out.push(pair.key, pair.value);
        }
      }
      return out;
    }
    if (isSeq(node)) return node.items;
    return [];
  };
  const stack: Frame[] = [{ node: doc.contents, depth: 1, next: 0, size: 1 }];
  let total = 0;
  while (stack.length && !problem) {
    const top = stack[stack.length - 1]!;
    if (top.depth > YAML_LIMITS.maxDepth) {
      fail(top.node, TOO_DEEP);
      break;
    }
    top.children ??= childrenOf(top.node);
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if (child === null || child === undefined) continue;
      if (isAlias(child)) {
        top.size += sizes.get(child.resolve(doc)) ?? 1;
        continue;
      }
      if (isMap(child) || isSeq(child)) stack.push({ node: child, depth: top.depth + 1, next: 0, size: 1 });
      else top.size += 1;
      continue;
    }
    stack.pop();
    sizes.set(top.node, top.size);
    if (stack.length) stack[stack.length - 1]!.size += top.size;
    else total = top.size;
    if (top.size > YAML_LIMITS.maxExpandedNodes || total > YAML_LIMITS.maxExpandedNodes) {
      fail(
        top.node,
        `aliases expand this document past the limit of ${YAML_LIMITS.maxExpandedNodes} nodes (an alias bomb?)`,
      );
    }
  }
  if (problem) limitError(doc, problem.offset, problem.message);
}

const TOO_DEEP = `nesting deeper than the limit of ${YAML_LIMITS.maxDepth} levels`;

/** The parser's own stack overflow (thrown, or caught and reported as an error) is the depth limit. */
function guarded<T>(parse: () => T, onOverflow: (message: string) => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof RangeError) return onOverflow(TOO_DEEP);
    throw err;
  }
}

function overflowed(doc: Document.Parsed): boolean {
  return doc.errors.some((e) => e.message.includes('Maximum call stack size exceeded'));
}

export function parseDocument(text: string, options: Options = {}): Document.Parsed {
  const big = tooBig(text);
  if (big) return refusedDocument(big);
  const doc = guarded(
    () => yamlParseDocument(text, { ...options, uniqueKeys: false }),
    (m) => refusedDocument(m),
  );
  if (overflowed(doc)) return refusedDocument(TOO_DEEP);
  if (doc.errors.length === 0) checkBounds(doc);
  return doc;
}

export function parseAllDocuments(text: string, options: Options = {}): Document.Parsed[] {
  const big = tooBig(text);
  if (big) return [refusedDocument(big)];
  const docs = guarded(
    () => yamlParseAll(text, { ...options, uniqueKeys: false }),
    (m) => [refusedDocument(m)],
  );
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  if (list.some(overflowed)) return [refusedDocument(TOO_DEEP)];
  for (const doc of list) if (doc.errors.length === 0) checkBounds(doc);
  return list;
}

/** Like yaml's parse(): the first error is thrown. */
export function parse(text: string, options: Options = {}): unknown {
  const doc = parseDocument(text, options);
  if (doc.errors[0]) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: -1 });
}
