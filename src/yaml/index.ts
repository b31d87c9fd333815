// The YAML functions cutover's start-up path uses (cutover.yaml, kubeconfig, manifests). From
// source this is the `yaml` package itself; in the built CLI, esbuild inlines yaml into the
// bundle at build time (scripts/build.mjs), so a start loads one file instead of yaml's ~50.
// Parsing goes through bounded.ts: linear duplicate-key check, size, alias and nesting limits.
export { isMap, isPair, isScalar, isSeq } from 'yaml';
export { parse, parseDocument, parseAllDocuments, YAML_LIMITS } from './bounded.js';
