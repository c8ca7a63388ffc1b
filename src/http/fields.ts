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

/**
 * serializers.EmailField (254 characters); the domain is lowercased as Django's normalize_email does.
 * The document says `format: email`, which is how OPTIONS tells it from a CharField (DRF's type "email").
 */
export function emailField() {
  return z
    .preprocess(
      numberAsText,
      text({ maxLength: 254 })
        .refine(isEmail, { error: MESSAGES.email })
        .transform((address) => {
          const at = address.lastIndexOf("@");
          return address.slice(0, at) + address.slice(at).toLowerCase();
        }),
    )
    .meta({ format: "email" });
}

// Python's str.isspace(): what DRF's CharField strips (JavaScript's trim() differs: it strips U+FEFF
// and keeps U+001C-U+001F and U+0085).
const PYTHON_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PYTHON_STRIP = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, "g");

/** Python's `str.strip()`. */
export const pythonStrip = (value: string) => value.replace(PYTHON_STRIP, "");

/** Python's `len()`: code points, not UTF-16 units (an emoji is one character, not two). */
export const codePoints = (value: string) => {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
};

/**
 * serializers.CharField measured as Python measures it: stripped as `str.strip()` strips, its
 * length in code points. The document still says `maxLength` (JSON Schema counts code points too).
 */
export function pythonCharField({ maxLength }: { maxLength: number }) {
  return z.preprocess(
    numberAsText,
    z
      .string({ error: (issue) => (issue.input === undefined ? MESSAGES.required : issue.input === null ? MESSAGES.null : MESSAGES.notString) })
      .overwrite(pythonStrip)
      .min(1, { error: MESSAGES.blank, abort: true })
      .refine((value) => codePoints(value) <= maxLength, { error: MESSAGES.maxLength(maxLength) })
      .refine((value) => !value.includes("\0"), { error: MESSAGES.nullCharacter })
      .meta({ maxLength }),
  );
}

/** The name Python gives a JSON value's type, as DRF's messages show it. */
const pythonType = (value: unknown) =>
  Array.isArray(value) ? "list" : typeof value === "object" ? "dict" : typeof value === "boolean" ? "bool" : typeof value === "number" ? "float" : "str";

/**
 * serializers.PrimaryKeyRelatedField's id: a number (Django's int() truncates a float), or text
 * Python's int() reads; otherwise DRF's incorrect-type message. Whether the id names an object is
 * the store's answer; `text` is the value as given, for DRF's 'Invalid pk "<value>"' message.
 */
export function primaryKeyField() {
  return z
    .unknown()
    .transform((value, context) => {
      const refuse = (message: string) => {
        context.addIssue({ code: "custom", message });
        return z.NEVER;
      };
      if (value === undefined) return refuse(MESSAGES.required);
      if (value === null) return refuse(MESSAGES.null);
      let id = Number.NaN;
      if (typeof value === "number") id = Math.trunc(value);
      else if (typeof value === "string") {
        const digits = /^([+-]?)([0-9]+(?:_[0-9]+)*)$/.exec(pythonStrip(value));
        if (digits) id = Number(`${digits[1]}${digits[2]!.replaceAll("_", "")}`);
      }
      if (Number.isNaN(id)) return refuse(`Incorrect type. Expected pk value, received ${pythonType(value)}.`);
      return { id, text: String(value) };
    })
    .meta({ anyOf: [{ type: "integer" }, { type: "string", pattern: "^[0-9]+$" }] });
}

/** PrimaryKeyRelatedField's message for an id that names nothing (or nothing the caller may see). */
export const doesNotExist = (text: string) => `Invalid pk "${text}" - object does not exist.`;
