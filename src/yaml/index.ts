// The YAML functions cutover's start-up path uses (cutover.yaml, kubeconfig, manifests). From
// source this is the `yaml` package itself; in the built CLI, esbuild inlines yaml into the
// bundle at build time (scripts/build.mjs), so a start loads one file instead of yaml's ~50.
export { parse, parseDocument, parseAllDocuments, isMap, isPair, isScalar, isSeq } from 'yaml';
