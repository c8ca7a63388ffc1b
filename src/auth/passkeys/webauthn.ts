/**
 * The WebAuthn ceremonies of passkeys (API.md "Passkeys (WebAuthn)"), with @simplewebauthn/server:
 * the options a browser gives `navigator.credentials.create()` / `.get()`, and the verification of
 * what it answers. Challenges are made here and kept by the store, which spends each once: what
 * is verified here is everything but whether the challenge is still live.
 */
import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { decodeAttestationObject, isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";
import { z } from "zod";
import type { Config } from "../../config";
import type { ExcludedCredential, StoredPasskey } from "../../store";

/** A challenge lives 5 minutes; the browser's own timeout is the same. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** ES256 and RS256: what every platform authenticator and security key offers, and what Web Crypto in Workers verifies. */
export const ALGORITHMS = [-7, -257];

/** A credential that does not verify, whatever the reason (the reason is never told). */
export class InvalidPasskey extends Error {
  constructor(reason = "invalid passkey") {
    super(reason);
  }
}

type RelyingParty = Config["webauthn"];

const TRANSPORTS = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);
const base64url = z.string().min(1).max(4096).regex(/^[A-Za-z0-9_-]+$/);

/** The shape of a registration answer (RegistrationResponseJSON), before anything is verified. */
const registrationShape = z.object({
  id: base64url.max(1400),
  rawId: base64url.max(1400),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url.max(16_384),
    transports: z.array(z.string()).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
  authenticatorAttachment: z.string().optional(),
});

/** The shape of a login answer (AuthenticationResponseJSON), before anything is verified. */
const assertionShape = z.object({
  id: base64url.max(1400),
  rawId: base64url.max(1400),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
  authenticatorAttachment: z.string().optional(),
});

export type Assertion = z.infer<typeof assertionShape>;

/** 32 random bytes, base64url: a challenge, or a new user handle. */
export function randomId(): string {
  return isoBase64URL.fromBuffer(crypto.getRandomValues(new Uint8Array(32)));
}

/** The challenge the browser signed (clientDataJSON's), or none when there is no readable one. */
function signedChallenge(clientDataJSON: string): string {
  try {
    const data = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON)) as { challenge?: unknown };
    if (typeof data.challenge === "string" && /^[A-Za-z0-9_-]{1,200}$/.test(data.challenge)) return data.challenge;
  } catch {
    // Not base64url JSON: refused below.
  }
  throw new InvalidPasskey("no challenge");
}

/** `register/options/`: a discoverable credential (resident key required), user verification preferred, the caller's passkeys excluded. */
export function creationOptions(
  rp: RelyingParty,
  user: { username: string; handle: string },
  excluded: ExcludedCredential[],
  challenge: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.rpId,
    rpID: rp.rpId,
    userName: user.username,
    userDisplayName: user.username,
    userID: isoBase64URL.toBuffer(user.handle),
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: CHALLENGE_LIFETIME_MS,
    attestationType: "none",
    excludeCredentials: excluded.map((credential) => ({
      id: credential.credentialId,
      transports: credential.transports.filter((transport) => TRANSPORTS.has(transport)) as ("internal" | "usb")[],
    })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/**
 * `login/options/`: no `allowCredentials` (the authenticator offers the passkeys it holds for this
 * site), and user verification required: a passkey signs in with no password and no second
 * factor, so the authenticator itself must have checked the user (PIN, biometrics).
 */
export function requestOptions(rp: RelyingParty, challenge: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.rpId, challenge: isoBase64URL.toBuffer(challenge), timeout: CHALLENGE_LIFETIME_MS, userVerification: "required" });
}

/**
 * The attestation replaced by "none", as a browser does when asked for none: this service trusts
 * no authenticator model, and a certificate chain in an attestation is never looked at, so no
 * request ever leaves for a certificate revocation list a client named.
 */
function withoutAttestation(attestationObject: string): string {
  const decoded = decodeAttestationObject(isoBase64URL.toBuffer(attestationObject));
  const authData = decoded.get("authData");
  if (!(authData instanceof Uint8Array)) throw new InvalidPasskey("no authenticator data");
  return isoBase64URL.fromBuffer(isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as never));
}

/** A verified registration answer: the challenge it signed (to spend) and the credential to keep. */
export interface VerifiedRegistration {
  challenge: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

/** Verifies `credential` (RegistrationResponseJSON) for this relying party: origin, RP id, user presence and verification, algorithm. */
export async function verifyRegistration(rp: RelyingParty, credential: unknown): Promise<VerifiedRegistration> {
  const parsed = registrationShape.safeParse(credential);
  if (!parsed.success) throw new InvalidPasskey("not a registration");
  const answer = parsed.data;
  const challenge = signedChallenge(answer.response.clientDataJSON);
  try {
    const response = { ...answer, response: { ...answer.response, attestationObject: withoutAttestation(answer.response.attestationObject) } };
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} } as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!verified) throw new InvalidPasskey("not verified");
    const { credential: created } = registrationInfo;
    // The id the answer names must be the one the authenticator data holds (the one kept).
    if (created.id !== answer.id) throw new InvalidPasskey("another credential id");
    const transports = (answer.response.transports ?? []).filter((transport) => TRANSPORTS.has(transport));
    return { challenge, credentialId: created.id, publicKey: isoBase64URL.fromBuffer(created.publicKey), counter: created.counter, transports };
  } catch (error) {
    throw error instanceof InvalidPasskey ? error : new InvalidPasskey(error instanceof Error ? error.message : "unreadable");
  }
}

/** A login answer's shape and the challenge it signed, read before the credential it names is looked up. */
export function readAssertion(credential: unknown): { assertion: Assertion; challenge: string } {
  const parsed = assertionShape.safeParse(credential);
  if (!parsed.success) throw new InvalidPasskey("not an assertion");
  return { assertion: parsed.data, challenge: signedChallenge(parsed.data.response.clientDataJSON) };
}

/**
 * Verifies `assertion` with the stored passkey: the user handle (a discoverable login must name
 * the passkey's user), origin, RP id, user verification, signature, and a counter that grows when
 * the authenticator keeps one. The new counter, to store.
 */
export async function verifyAssertion(rp: RelyingParty, assertion: Assertion, challenge: string, stored: StoredPasskey): Promise<number> {
  if (assertion.response.userHandle !== stored.userHandle) throw new InvalidPasskey("another user");
  try {
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response: { ...assertion, clientExtensionResults: assertion.clientExtensionResults ?? {} } as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      credential: { id: stored.credentialId, publicKey: isoBase64URL.toBuffer(stored.publicKey), counter: stored.counter },
      requireUserVerification: true,
    });
    if (!verified) throw new InvalidPasskey("bad signature");
    return authenticationInfo.newCounter;
  } catch (error) {
    throw error instanceof InvalidPasskey ? error : new InvalidPasskey(error instanceof Error ? error.message : "unreadable");
  }
}
