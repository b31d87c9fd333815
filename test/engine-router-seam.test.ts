// The engine speaks only the TrafficRouter interface: no engine file imports a router's folder,
// casts the router, or reads a router's objects (routes.virtualService…), and no Istio word is
// left in it (ADR 0013). The list below was the remainder while it shrank; it is empty now and
// may only stay so.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../src/engine', import.meta.url));
const files = readdirSync(ENGINE).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const source = (f: string) => readFileSync(join(ENGINE, f), 'utf8');

/** Files that may hold Istio words, and why. Empty: everything Istio lives in src/routers/istio/. */
const KNOWN_ISTIO_WORDS: Record<string, string> = {};

test('no engine file imports a router folder or casts the router', () => {
  for (const f of files) {
    const text = source(f);
    assert.doesNotMatch(
      text,
      /from '\.\.\/routers\/(istio|gateway-api|service)\//,
      `${f} imports a router's folder`,
    );
    assert.doesNotMatch(text, /as (Istio|GatewayApi|Service)Router\b/, `${f} casts the router`);
    assert.doesNotMatch(
      text,
      /\b(IstioRouter|GatewayApiRouter|ServiceRouter)\b/,
      `${f} names a router class`,
    );
    assert.doesNotMatch(
      text,
      /\.(virtualService|destinationRule)\b/,
      `${f} reads Istio objects off the live routes`,
    );
  }
});

test('Istio words appear only in the files listed (with a reason), and the list is current', () => {
  const withWords = files.filter((f) =>
    /[Ii]stio|VirtualService|DestinationRule|virtualService/.test(source(f)),
  );
  assert.deepEqual(withWords.sort(), Object.keys(KNOWN_ISTIO_WORDS).sort());
});
