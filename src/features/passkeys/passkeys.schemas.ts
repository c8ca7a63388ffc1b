/** The passkey routes' bodies and answers (API.md "Passkeys (WebAuthn)"). */
import { z } from "zod";
import { MESSAGES, charField } from "../../http/fields";

/**
 * What `navigator.credentials.create()` / `.get()` answered, as JSON (`PublicKeyCredential.toJSON()`).
 * Any value but none is taken here: one that is no valid credential is refused as a bad passkey.
 */
const credentialField = (description: string) =>
  z
    .any()
    .superRefine((value, context) => {
      if (value === undefined) context.addIssue({ code: "custom", message: MESSAGES.required });
      else if (value === null) context.addIssue({ code: "custom", message: MESSAGES.null });
    })
    .meta({ type: "object", description });

export const passkeyRegisterBody = z
  .object({
    credential: credentialField("The RegistrationResponseJSON of `navigator.credentials.create()` with the options of `register/options/`."),
    name: charField({ maxLength: 64 }).meta({ description: "A name for the passkey, to tell it apart in the list (\"Laptop\", \"Phone\")." }),
  })
  .meta({ id: "PasskeyRegisterRequest" });

export const passkeyLoginBody = z
  .object({ credential: credentialField("The AuthenticationResponseJSON of `navigator.credentials.get()` with the options of `login/options/`.") })
  .meta({ id: "PasskeyLoginRequest" });

const base64url = z.string().meta({ description: "base64url" });
const transports = z.array(z.string()).optional();

export const creationOptionsSchema = z
  .object({
    rp: z.object({ name: z.string(), id: z.string() }),
    user: z.object({ id: base64url, name: z.string(), displayName: z.string() }),
    challenge: base64url,
    pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal("public-key") })),
    timeout: z.number().int(),
    excludeCredentials: z.array(z.object({ id: base64url, type: z.literal("public-key"), transports })),
    authenticatorSelection: z.object({
      residentKey: z.literal("required"),
      userVerification: z.literal("preferred"),
      requireResidentKey: z.literal(true),
    }),
    attestation: z.literal("none"),
    extensions: z.record(z.string(), z.unknown()).optional(),
    hints: z.array(z.string()).optional(),
  })
  .meta({
    id: "PasskeyCreationOptions",
    description: "PublicKeyCredentialCreationOptionsJSON: give it to `PublicKeyCredential.parseCreationOptionsFromJSON()`, then `navigator.credentials.create()`.",
  });

export const requestOptionsSchema = z
  .object({
    rpId: z.string(),
    challenge: base64url,
    timeout: z.number().int(),
    userVerification: z.literal("required"),
  })
  .meta({
    id: "PasskeyRequestOptions",
    description: "PublicKeyCredentialRequestOptionsJSON with no `allowCredentials` (discoverable: the user types nothing): give it to `PublicKeyCredential.parseRequestOptionsFromJSON()`, then `navigator.credentials.get()`.",
  });

export type CreationOptions = z.infer<typeof creationOptionsSchema>;
export type RequestOptions = z.infer<typeof requestOptionsSchema>;
