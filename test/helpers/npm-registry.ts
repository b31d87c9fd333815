// A small npm registry on loopback that serves one package: the `npm pack` tarball of this
// checkout, under its real name and version, with the packument and integrity fields npm checks
// (the registry protocol's GET /<name> and GET of the tarball URL). A runner points the package's
// scope at it (`@cutover-bg:registry=…` in its .npmrc), as a team with a private registry would;
// the package's dependencies still come from the registry npm is configured with.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { execFileSync } from 'node:child_process';

export interface LocalRegistry {
  url: string;
  /** GET paths served, for the tests to see that npm really came here. */
  requests: string[];
  close(): Promise<void>;
}

function manifestOf(tarball: string): Record<string, unknown> {
  const text = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
  return JSON.parse(text) as Record<string, unknown>;
}

export async function startLocalRegistry(tarball: string): Promise<LocalRegistry> {
  const bytes = readFileSync(tarball);
  const manifest = manifestOf(tarball);
  const name = String(manifest.name);
  const version = String(manifest.version);
  const file = basename(tarball);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(path);
    const base = `http://${req.headers.host}`;
    if (req.method === 'GET' && path === `/${name}`) {
      const packument = {
        name,
        'dist-tags': { latest: version },
        versions: {
          [version]: {
            ...manifest,
            _id: `${name}@${version}`,
            dist: {
              tarball: `${base}/-/${file}`,
              shasum: createHash('sha1').update(bytes).digest('hex'),
              integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
            },
          },
        },
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(packument));
    } else if (req.method === 'GET' && path === `/-/${file}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.end(bytes);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
