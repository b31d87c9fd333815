// The listeners of the Gateway API Gateways this controller serves: each Gateway gets its own
// loopback address (kept across restarts through status.addresses) and one HTTP server per port
// of its HTTP listeners, each routing by that port's table. Reconciled after every propagated
// change, one reconcile at a time; the result (address, ports that could not be bound) feeds the
// Gateway's status.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { bindPorts, closeQuietly } from '../../loopback-addresses.js';
import type { ForwardContext } from '../forward.js';
import { DomainIndex } from '../hosts.js';
import type { RoutingTable, VirtualHost } from '../route-types.js';
import { serveRequests } from '../serve-requests.js';
import type { GatewayApiConfig, ServedGateway } from './compile.js';

export interface BoundGateway {
  address: string;
  ports: number[];
  /** Port → why it could not be bound. */
  errors: Map<number, string>;
}

interface Entry extends BoundGateway {
  servers: Server[];
}

const EMPTY: RoutingTable = (() => {
  const hosts = new DomainIndex<VirtualHost>();
  hosts.seal();
  return { version: 0, hosts, serverPorts: [] };
})();

function previousAddress(gw: ServedGateway): string | undefined {
  const status = gw.gateway.status as { addresses?: Array<{ value?: unknown }> } | undefined;
  const value = status?.addresses?.[0]?.value;
  return typeof value === 'string' ? value : undefined;
}

export class GatewayApiServers {
  private readonly bound = new Map<string, Entry>();
  private config: GatewayApiConfig = { classes: [], gateways: new Map(), routeParents: new Map() };
  private readonly upgraded = new Set<Socket>();
  private closed = false;

  constructor(private readonly ctx: ForwardContext) {}

  private table(key: string, port: number): RoutingTable {
    return this.config.gateways.get(key)?.tables.get(port) ?? EMPTY;
  }

  /** Routes by `config` from now on, binding and closing servers as Gateways come and go. */
  async reconcile(config: GatewayApiConfig): Promise<Map<string, BoundGateway>> {
    this.config = config;
    for (const [key, entry] of this.bound) {
      const want = config.gateways.get(key);
      const ports = want ? [...want.tables.keys()].sort() : [];
      if (!want || ports.join() !== entry.ports.join()) {
        this.bound.delete(key);
        await Promise.all(entry.servers.map(closeQuietly));
        if (want) await this.bind(want, entry.address);
      }
    }
    for (const gw of config.gateways.values())
      if (!this.bound.has(gw.key)) await this.bind(gw, previousAddress(gw));
    return new Map(this.bound);
  }

  private async bind(gw: ServedGateway, preferred: string | undefined): Promise<void> {
    if (this.closed) return;
    const ports = [...gw.tables.keys()].sort();
    const { address, servers, errors } = await bindPorts(
      ports,
      (port) => {
        const server = createServer({ keepAliveTimeout: 65_000 });
        serveRequests(server, {
          ctx: this.ctx,
          table: () => this.table(gw.key, port),
          upgraded: this.upgraded,
        });
        return server;
      },
      preferred,
    );
    this.bound.set(gw.key, { address, ports, errors, servers: [...servers.values()] as Server[] });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.upgraded) s.destroy();
    await Promise.all([...this.bound.values()].flatMap((e) => e.servers.map(closeQuietly)));
    this.bound.clear();
  }
}
