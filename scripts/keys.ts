/**
 * `npm run keys -- --alg ES256|EdDSA`: a new signing key pair as JWKs. The private JWK goes to
 * `wrangler secret put JWT_PRIVATE_KEY`; the public one is what /.well-known/jwks.json will show.
 * The kid is the key's RFC 7638 thumbprint, so it names the key and nothing else.
 */
import { webcrypto } from "node:crypto";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { alg: { type: "string", default: "ES256" } } });
const algorithms = {
  ES256: { generate: { name: "ECDSA", namedCurve: "P-256" }, members: ["crv", "kty", "x", "y"] },
  EdDSA: { generate: { name: "Ed25519" }, members: ["crv", "kty", "x"] },
} as const;
const alg = values.alg as keyof typeof algorithms;
if (!(alg in algorithms)) {
  console.error("usage: npm run keys -- --alg ES256|EdDSA");
  process.exit(2);
}
const { generate, members } = algorithms[alg];

const pair = (await webcrypto.subtle.generateKey(generate, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
const privateJwk = (await webcrypto.subtle.exportKey("jwk", pair.privateKey)) as Record<string, unknown>;
// RFC 7638: SHA-256 of the required public members, in lexicographic order, without spaces.
const canonical = JSON.stringify(Object.fromEntries(members.map((member) => [member, privateJwk[member]])));
const kid = Buffer.from(await webcrypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical))).toString("base64url");
const { d: _private, key_ops: _ops, ext: _ext, ...publicMembers } = privateJwk;
const privateKey = { ...publicMembers, d: privateJwk.d, kid, alg, use: "sig" };
const publicKey = { ...publicMembers, kid, alg, use: "sig" };

console.log(`# Private key (a secret: npx wrangler secret put JWT_PRIVATE_KEY, then paste the line below):`);
console.log(JSON.stringify(privateKey));
console.log(`# Public key (for JWT_PUBLIC_KEYS_PREVIOUS once this key is retired):`);
console.log(JSON.stringify(publicKey));
