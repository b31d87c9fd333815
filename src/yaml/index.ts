// The YAML functions cutover's start-up path uses (cutover.yaml, kubeconfig, manifests), taken
// from one bundled module of the installed `yaml` package (see write-bundle.ts for why).
// Types still come from `yaml` itself; documents made here and by `yaml` are interchangeable
// (yaml tells its nodes apart by Symbol.for keys, not by class identity).
import type * as Yaml from 'yaml';
import bundled from './bundle.generated.js';

const yaml = bundled as typeof Yaml;

export const { parse, parseDocument, parseAllDocuments, isMap, isPair, isScalar, isSeq } = yaml;
