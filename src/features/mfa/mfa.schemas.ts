/** The two-factor routes' bodies and answers (API.md "Two-factor"). */
import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { charField } from "../../http/fields";

/** A 6-digit TOTP code or a recovery code (`xxxx-xxxx-xxxx-xxxx`); a number is taken as its text, as DRF does. */
const codeField = () => charField({ maxLength: 64 }).meta({ description: "A 6-digit code of the authenticator app, or an unused recovery code." });

const currentPassword = () => passwordField().meta({ writeOnly: true, description: "The caller's password." });

export const currentPasswordBody = z.object({ current_password: currentPassword() }).meta({ id: "CurrentPasswordRequest" });
export const totpConfirmBody = z
  .object({ code: charField({ maxLength: 64 }).meta({ description: "A 6-digit code of the secret `totp/setup/` answered." }) })
  .meta({ id: "TotpConfirmRequest" });
export const totpDisableBody = z.object({ current_password: currentPassword(), code: codeField() }).meta({ id: "TotpDisableRequest" });
export const mfaVerifyBody = z
  .object({ mfa_token: charField({ maxLength: 128 }).meta({ description: "The `mfa_token` of the sign-in." }), code: codeField() })
  .meta({ id: "MfaVerifyRequest" });

export const totpSetupSchema = z
  .object({
    secret: z.string().meta({ description: "The new secret in base32, to type into an authenticator app." }),
    otpauth_url: z.string().meta({ description: "The otpauth:// URL an authenticator app reads (what the QR code holds)." }),
    qr_svg: z.string().meta({ description: "An SVG image of the QR code of `otpauth_url`, made by the server (no third party sees the secret)." }),
  })
  .meta({ id: "TotpSetup", description: "A new secret, pending until `totp/confirm/` is given one of its codes." });

export const recoveryCodesSchema = z
  .object({ recovery_codes: z.array(z.string()).meta({ description: "Ten single-use codes, shown this once (only their hashes are kept)." }) })
  .meta({ id: "RecoveryCodes" });

export type TotpDisableBody = z.infer<typeof totpDisableBody>;
export type MfaVerifyBody = z.infer<typeof mfaVerifyBody>;
