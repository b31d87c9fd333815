// Addresses for what a real cluster exposes on its own IPs (Gateway API Gateways, Services of
// type LoadBalancer): one loopback address each, from 127.200.0.1–127.254.255.254 (pods use
// 127.1.x.y), so each can listen on its real port (80 for a Gateway, the Service's port) without
// clashing with anything else on the machine. Binding is the claim: an address:port another
// process holds fails with EADDRINUSE, and the caller tries another address.
import type { Server as NetServer } from 'node:net';

export function randomLoopbackAddress(random: () => number = Math.random): string {
  const b = 200 + Math.floor(random() * 55);
  const c = Math.floor(random() * 256);
  const d = 1 + Math.floor(random() * 254);
  return `127.${b}.${c}.${d}`;
}

export function isLoopbackAddress(ip: unknown): ip is string {
  return typeof ip === 'string' && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

export function listenOn(server: NetServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export function closeQuietly(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

/**
 * Binds one server per port on one address: `preferred` first (the address an object had before
 * a restart), then random ones while a port is taken there. Ports that cannot be bound on the
 * chosen address for another reason (EACCES: a port below 1024 without privileges) are returned
 * with the error instead of failing the whole object.
 */
export async function bindPorts(
  ports: number[],
  make: (port: number) => NetServer,
  preferred?: string,
  attempts = 8,
): Promise<{ address: string; servers: Map<number, NetServer>; errors: Map<number, string> }> {
  let candidate = isLoopbackAddress(preferred) ? preferred : randomLoopbackAddress();
  for (let attempt = 0; ; attempt++) {
    const servers = new Map<number, NetServer>();
    const errors = new Map<number, string>();
    let inUse = false;
    for (const port of ports) {
      const server = make(port);
      try {
        await listenOn(server, candidate, port);
        servers.set(port, server);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' && attempt < attempts) {
          inUse = true;
          break;
        }
        errors.set(port, `${candidate}:${port}: ${(err as Error).message}`);
      }
    }
    if (!inUse) return { address: candidate, servers, errors };
    await Promise.all([...servers.values()].map(closeQuietly));
    candidate = randomLoopbackAddress();
  }
}
