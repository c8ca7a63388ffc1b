/**
 * zod builders for DRF serializer fields, producing DRF's exact messages: a number is taken as
 * its text, whitespace is trimmed, blank and length are checked in DRF's order.
 */
import { z } from "zod";

export const MESSAGES = {
  required: "This field is required.",
  null: "This field may not be null.",
  notString: "Not a valid string.",
  blank: "This field may not be blank.",
  email: "Enter a valid email address.",
  username: "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
  maxLength: (max: number) => `Ensure this field has no more than ${max} characters.`,
  nullCharacter: "Null characters are not allowed.",
} as const;

interface CharFieldOptions {
  maxLength?: number;
  allowBlank?: boolean;
}

/** Typed as what clients should send; at run time any JSON value arrives and is checked. */
const numberAsText = (value: string | number): unknown => (typeof value === "number" && Number.isFinite(value) ? String(value) : value);

function text({ maxLength, allowBlank = false }: CharFieldOptions) {
  let field = z
    .string({
      error: (issue) =>
        issue.input === undefined ? MESSAGES.required : issue.input === null ? MESSAGES.null : MESSAGES.notString,
    })
    .trim();
  // DRF checks blankness first and stops there.
  if (!allowBlank) field = field.min(1, { error: MESSAGES.blank, abort: true });
  if (maxLength !== undefined) field = field.max(maxLength, { error: MESSAGES.maxLength(maxLength) });
  // DRF's CharField carries Django's ProhibitNullCharactersValidator.
  return field.refine((value) => !value.includes("\0"), { error: MESSAGES.nullCharacter });
}

/** serializers.CharField. */
export function charField(options: CharFieldOptions = {}) {
  return z.preprocess(numberAsText, text(options));
}

const USERNAME = /^[\p{L}\p{N}_.@+-]+$/u;

/**
 * The model's username: NFKC-normalised first (as Django stores it), then checked as it will be
 * stored: Django's UnicodeUsernameValidator and 150 characters. Checking before normalising
 * would let one character that NFKC expands (U+FDFA is 18) through as many.
 */
export function usernameField() {
  return z.preprocess(
    (value: string | number) => (typeof value === "string" ? value.normalize("NFKC") : numberAsText(value)),
    text({ maxLength: 150 })
      .regex(USERNAME, { error: MESSAGES.username })
      // The document shows the pattern as a JSON Schema regex (ECMA-262 with the u flag's classes).
      .meta({ pattern: USERNAME.source }),
  );
}

// Django's EmailValidator: a dot-atom (or quoted) local part and a domain of labels with a 2+ letter TLD.
const EMAIL_USER = /^(?:[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")$/i;
const EMAIL_DOMAIN = /^(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z0-9-]{2,63})|localhost)$/i;

function isEmail(address: string): boolean {
  const at = address.lastIndexOf("@");
  if (at < 1) return false;
  const domain = address.slice(at + 1);
  return EMAIL_USER.test(address.slice(0, at)) && EMAIL_DOMAIN.test(domain) && !domain.endsWith("-");
}

/** serializers.EmailField (254 characters); the domain is lowercased as Django's normalize_email does. */
export function emailField() {
  return z.preprocess(
    numberAsText,
    text({ maxLength: 254 })
      .refine(isEmail, { error: MESSAGES.email })
      .transform((address) => {
        const at = address.lastIndexOf("@");
        return address.slice(0, at) + address.slice(at).toLowerCase();
      }),
  );
}
