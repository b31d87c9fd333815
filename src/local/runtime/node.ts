// The one node of the local cluster: its name (spec.nodeName of every pod) and its address
// (status.hostIP). Pods get their own loopback addresses (pod-ips.ts).
export const NODE_NAME = 'cutover-local';
export const HOST_IP = '127.0.0.1';
