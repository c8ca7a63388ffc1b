/**
 * Token algorithms side by side: profile GET requests/s with HS256, ES256 and EdDSA (the same
 * bundle, restarted with each JWT_ALGORITHM, interleaved rounds), and the CPU cost of one
 * verification of each inside workerd, measured from outside: a Worker that verifies a token
 * N times in one request, timed against one that verifies it 0 times (workerd's clock does not
 * move during CPU work, so the timing has to be taken by the caller).
 */
import { webcrypto } from "node:crypto";
import { Miniflare } from "miniflare";

export type Algorithm = "HS256" | "ES256" | "EdDSA";
export const ALGORITHMS: Algorithm[] = ["HS256", "ES256", "EdDSA"];

const PARAMS = {
  HS256: { generate: { name: "HMAC", hash: "SHA-256" }, sign: { name: "HMAC" } },
  ES256: { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" } },
} as const;

/** The variables that switch the Worker to `alg` with a new key. */
export async function algorithmVars(alg: Algorithm): Promise<Record<string, string>> {
  if (alg === "HS256") return { JWT_ALGORITHM: "HS256" };
  const pair = (await webcrypto.subtle.generateKey(PARAMS[alg].generate, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const { key_ops: _ops, ext: _ext, ...jwk } = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
  return { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify({ ...jwk, kid: `bench-${alg}`, alg, use: "sig" }) };
}

const VERIFIER = `
const PARAMS = ${JSON.stringify(PARAMS)};
export default {
  async fetch(request) {
    const { alg, n, jwk, data, signature } = await request.json();
    const usages = alg === "HS256" ? ["verify"] : ["verify"];
    const key = await crypto.subtle.importKey("jwk", jwk, PARAMS[alg].generate, false, usages);
    const bytes = new TextEncoder().encode(data);
    const sig = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
    let ok = 0;
    for (let i = 0; i < n; i++) if (await crypto.subtle.verify(PARAMS[alg].sign, key, sig, bytes)) ok++;
    return new Response(String(ok));
  },
};`;

/** Microseconds of CPU per verification of a token-sized message, in workerd. */
export async function verifyCostsMicros(): Promise<Record<Algorithm, number>> {
  const miniflare = new Miniflare({ modules: true, script: VERIFIER, compatibilityDate: "2026-04-26" });
  const url = await miniflare.ready;
  const data = `${"x".repeat(60)}.${"y".repeat(180)}`;
  const costs = {} as Record<Algorithm, number>;
  try {
    for (const alg of ALGORITHMS) {
      const pair = (await webcrypto.subtle.generateKey(PARAMS[alg].generate, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair | webcrypto.CryptoKey;
      const signKey = "privateKey" in pair ? pair.privateKey : pair;
      const verifyKey = "publicKey" in pair ? pair.publicKey : pair;
      const signature = Buffer.from(await webcrypto.subtle.sign(PARAMS[alg].sign, signKey, new TextEncoder().encode(data))).toString("base64");
      // Node names an Ed25519 key's alg "Ed25519"; workerd wants "EdDSA" or none.
      const { key_ops: _ops, ext: _ext, alg: _alg, ...jwk } = await webcrypto.subtle.exportKey("jwk", verifyKey);
      const time = async (n: number) => {
        const runs: number[] = [];
        for (let i = 0; i < 7; i++) {
          const started = performance.now();
          const response = await fetch(url, { method: "POST", body: JSON.stringify({ alg, n, jwk, data, signature }) });
          const answer = await response.text();
          if (answer !== String(n)) throw new Error(`${alg}: a verification failed: ${answer.slice(0, 300)}`);
          runs.push(performance.now() - started);
        }
        return [...runs].sort((a, b) => a - b)[3]!;
      };
      const n = 4000;
      costs[alg] = ((await time(n)) - (await time(0))) * 1000 / n;
    }
  } finally {
    await miniflare.dispose();
  }
  return costs;
}

export function algorithmText(rps: Record<Algorithm, number>, costs: Record<Algorithm, number>): string {
  const rows = ALGORITHMS.map((alg) => `| ${alg} | ${rps[alg].toFixed(0)} | ${(rps[alg] / rps.HS256).toFixed(2)} | ${costs[alg].toFixed(1)} |`);
  return ["Token algorithms (profile GET, the same bundle restarted with each JWT_ALGORITHM; verify cost measured inside workerd):", "", "| algorithm | profile GET req/s | vs HS256 | µs per verify |", "|---|---:|---:|---:|", ...rows].join("\n");
}
