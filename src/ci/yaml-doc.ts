// Builds commented YAML with the `yaml` package's Document API, so the comments that explain each
// step survive into the file. Generators describe a file as plain values, wrapping any value that
// needs a comment in `note()`; object keys keep the order the generator wrote them in (the order
// of a pipeline's steps is meaningful), so callers sort maps whose order is not.
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

export class Noted {
  constructor(
    readonly value: unknown,
    readonly comment: string,
    readonly blankLineBefore: boolean,
  ) {}
}

/** Attaches a comment (one or more lines) above a value, or above its key inside a map. */
export function note(comment: string, value: unknown, options: { blankLineBefore?: boolean } = {}): Noted {
  return new Noted(value, comment, options.blankLineBefore ?? false);
}

/** Puts a blank line above a value (or its key), without a comment. */
export function spaced(value: unknown): Noted {
  return new Noted(value, '', true);
}

/** Comment lines get a leading space so they render as `# text`. */
function commentText(comment: string): string {
  return comment
    .split('\n')
    .map((line) => (line ? ` ${line}` : ''))
    .join('\n');
}

function toNode(doc: Document, value: unknown): Node {
  if (value instanceof Noted) {
    const node = toNode(doc, value.value);
    if (value.comment) node.commentBefore = commentText(value.comment);
    if (value.blankLineBefore) node.spaceBefore = true;
    return node;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(toNode(doc, item));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = new YAMLMap();
    for (const [key, v] of Object.entries(value)) map.items.push(pairOf(doc, key, v));
    return map;
  }
  return doc.createNode(value) as Node;
}

// A comment on a map entry belongs above its key, where a reader looks for it.
function pairOf(doc: Document, key: string, value: unknown): Pair {
  const keyNode = new Scalar(key);
  if (value instanceof Noted) {
    if (value.comment) keyNode.commentBefore = commentText(value.comment);
    if (value.blankLineBefore) keyNode.spaceBefore = true;
    return new Pair(keyNode, toNode(doc, value.value));
  }
  return new Pair(keyNode, toNode(doc, value));
}

/** Renders one file: a header comment, then the value. Same input, same bytes. */
export function renderYaml(header: string, value: unknown): string {
  const doc = new Document();
  doc.contents = toNode(doc, value);
  doc.commentBefore = commentText(header);
  // lineWidth 0: never fold long shell lines, which would change what a reader copies.
  return doc.toString({ lineWidth: 0, indentSeq: true });
}
