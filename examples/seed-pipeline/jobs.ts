// The seed article's pipeline jobs, verbatim (reference/seed-demo.md §4.1): its kubectl, envsubst,
// jq and curl lines. Only the registry secret's values differ (the local cluster needs no real
// login). Run each with `bash -c` in a folder holding the seed's manifests/, with the env a
// Semaphore block would have. Used by test/seed-pipeline.test.ts and bench/seed-vs-cutover.ts.

export const SEED_JOBS = {
  // Deploy pipeline, block "Blue not active" / "Green not active", job "Check".
  check: `if kubectl get virtualservice myapp-blue-green; then VSERVICE_DEFAULT=$(kubectl get virtualservice myapp-blue-green -o json | jq -r '.spec.http[-1].route[0].destination.subset'); echo "Default route goes to $VSERVICE_DEFAULT"; test "$VSERVICE_DEFAULT" != "$COLOR_TEST"; fi`,
  // Deploy pipeline, block "Deploy to Blue" / "Deploy to Green", job "Deploy".
  deploy: `
# service & deployment
kubectl apply -f manifests/service.yml
envsubst < manifests/deployment.yml | tee _deployment.yml
kubectl apply -f _deployment.yml
kubectl rollout status -f _deployment.yml --timeout=120s

# routes & gateway
kubectl apply -f manifests/gateway.yml
envsubst < manifests/route-test.yml | tee _route.yml
kubectl apply -f _route.yml

# place any other setup/initialization commands, for instance...
kubectl exec -it -c myapp $(kubectl get pod -l app=myapp,color=$COLOR_TEST -o name | head -n 1) -- npm run migrate
`,
  // Deploy pipeline, block "Smoke Tests", job "Functional test".
  functionalTest: `kubectl exec -it -c myapp $(kubectl get pod -l app=myapp,color=$COLOR_TEST -o name | head -n 1) -- npm run ping`,
  // Deploy pipeline, block "Smoke Tests", job "Endpoint test".
  endpointTest: `
export INGRESS_HOST=$(kubectl -n istio-system get service istio-ingressgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
export INGRESS_PORT=$(kubectl -n istio-system get service istio-ingressgateway -o jsonpath='{.spec.ports[?(@.name=="http2")].port}')
export URL="http://\${INGRESS_HOST}:\${INGRESS_PORT}"
echo "Ingress gateway is $URL"
export TEST_VALUE=$(curl --cookie 'test=true' $URL/ready | jq -r '.ready')
test "$TEST_VALUE" = "true"
`,
  // "Activate Blue/Green" and "Rollback to Blue/Green", job "Switch traffic".
  switchTraffic: `
envsubst < manifests/route.yml | tee _route.yml
kubectl apply -f _route.yml
`,
  // "Decommission Blue/Green", job "Delete deployment".
  decommission: `if kubectl get deployment/myapp-$COLOR_DECOMISSION 2>/dev/null; then kubectl delete deployment/myapp-$COLOR_DECOMISSION; fi`,
  // One-time setup from the article (its values replaced: this registry needs no real login).
  registrySecret: `kubectl create secret docker-registry dockerhub \\
--docker-server=docker.io \\
--docker-username=demo \\
--docker-password=not-a-real-password`,
} as const;

export type SeedJob = keyof typeof SEED_JOBS;

// Semaphore stops a job at its first failing command; a bash script of several commands does
// not, so those jobs get `set -e` first. One-command jobs keep their own exit status.
const MULTI_COMMAND_JOBS: ReadonlySet<SeedJob> = new Set(['deploy', 'endpointTest', 'switchTraffic']);

/** The script to hand to `bash -c` for one job. */
export function seedJobScript(job: SeedJob): string {
  return MULTI_COMMAND_JOBS.has(job) ? `set -e\n${SEED_JOBS[job]}` : SEED_JOBS[job];
}
