// kube-proxy's part for a LoadBalancer address: each accepted connection goes to one ready
// endpoint of the Service (round robin over the endpoints of that port at connect time), and
// stays with it until either side closes: a selector change moves new connections only, as
// conntrack does on a real node. No ready endpoint: the connection is refused (closed at once).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Target {
  address: string;
  port: number;
}

export function tcpProxy(targets: () => Target[]): Server {
  let cursor = 0;
  const server = createServer((client: Socket) => {
    const list = targets();
    if (list.length === 0) {
      client.destroy();
      return;
    }
    const target = list[cursor++ % list.length]!;
    const upstream = connect({ host: target.address, port: target.port });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  return server;
}
