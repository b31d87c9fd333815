// Container image references, read with the grammar of distribution/reference (what the kubelet
// and every registry client use): [domain[:port]/]path[:tag][@digest]. A reference a kubelet
// cannot pull is bad input, found before the first write rather than as ErrImagePull minutes later.

export interface ImageRef {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

/** The reference, or the reason it is not one (undefined means valid). */
export function parseImageRef(ref: string): ImageRef | string {
  if (ref.trim() !== ref || ref === '') return 'is empty or has spaces around it';
  const [nameAndTag, digest, ...extra] = ref.split('@');
  if (extra.length) return "has more than one '@'";
  if (digest !== undefined && !DIGEST.test(digest))
    return `digest "${digest}" is not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)`;
  const slash = nameAndTag!.lastIndexOf('/');
  const colon = nameAndTag!.lastIndexOf(':');
  const tag = colon > slash ? nameAndTag!.slice(colon + 1) : undefined;
  const name = colon > slash ? nameAndTag!.slice(0, colon) : nameAndTag!;
  if (tag !== undefined && !TAG.test(tag))
    return `tag "${tag}" is not valid (letters, digits, _ . -; at most 128; not starting with . or -)`;
  if (name.length > NAME_MAX) return `the name is longer than ${NAME_MAX} characters`;
  const parts = name.split('/');
  const first = parts[0]!;
  const hasDomain =
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first));
  const domain = hasDomain ? parts.shift() : undefined;
  if (domain !== undefined && !DOMAIN.test(domain)) return `registry "${domain}" is not a host name[:port]`;
  for (const p of parts) {
    if (!PATH_COMPONENT.test(p))
      return `"${p}" is not a valid repository name component (lower-case letters, digits, and . _ __ - between them)`;
  }
  return { domain, path: parts.join('/'), tag, digest };
}
