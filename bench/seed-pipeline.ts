// The seed article's pipeline commands, verbatim (reference/seed-demo.md §4.1), one script per
// job. Only the cluster connection (KUBECONFIG) and the image (DOCKER_USERNAME /
// SEMAPHORE_WORKFLOW_ID) differ from the article. They run with `bash -c` in the manifests'
// parent folder, with the env a Semaphore block would have.

export const SEED_JOBS = {
  check: `if kubectl get virtualservice myapp-blue-green; then \\
   VSERVICE_DEFAULT=$(\\
      kubectl get virtualservice myapp-blue-green -o json | \\
         jq -r '.spec.http[-1].route[0].destination.subset'); \\
         echo "Default route goes to $VSERVICE_DEFAULT"; \\
         test "$VSERVICE_DEFAULT" != "$COLOR_TEST"; \\
fi`,
  deploy: `set -e
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
kubectl exec -it -c myapp \\
   $(kubectl get pod -l app=myapp,color=$COLOR_TEST -o name | head -n 1) \\
   -- npm run migrate`,
  functionalTest: `kubectl exec -it -c myapp \\
   $(kubectl get pod -l app=myapp,color=$COLOR_TEST -o name | head -n 1) \\
   -- npm run ping`,
  endpointTest: `set -e
export INGRESS_HOST=$(\\
   kubectl -n istio-system get service istio-ingressgateway \\
   -o jsonpath='{.status.loadBalancer.ingress[0].ip}' \\
   )
export INGRESS_PORT=$(\\
   kubectl -n istio-system get service istio-ingressgateway \\
   -o jsonpath='{.spec.ports[?(@.name=="http2")].port}' \\
   )
export URL="http://\${INGRESS_HOST}:\${INGRESS_PORT}"
echo "Ingress gateway is $URL"
export TEST_VALUE=$(curl --cookie 'test=true' $URL/ready | jq -r '.ready')
test "$TEST_VALUE" = "true"`,
  activate: `set -e
envsubst < manifests/route.yml | tee _route.yml
kubectl apply -f _route.yml`,
  decommission: `if kubectl get deployment/myapp-$COLOR_DECOMISSION 2>/dev/null; then \\
   kubectl delete deployment/myapp-$COLOR_DECOMISSION; \\
fi`,
} as const;

export type SeedJob = keyof typeof SEED_JOBS;
