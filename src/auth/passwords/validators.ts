/**
 * Django's four default password validators (AUTH_PASSWORD_VALIDATORS), in Django's order and
 * with Django's messages, so clients that display them show the same text as before.
 */
import { isCommonPassword } from "./common-passwords";

/** The user attributes Django's UserAttributeSimilarityValidator compares, with their verbose names. */
export interface PasswordOwner {
  username?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
}

const ATTRIBUTES: [keyof PasswordOwner, string][] = [
  ["username", "username"],
  ["first_name", "first name"],
  ["last_name", "last name"],
  ["email", "email address"],
];
const MAX_SIMILARITY = 0.7;
const MIN_LENGTH = 8;

/** Returns every failing validator's message; an empty list means the password is acceptable. */
export async function passwordProblems(password: string, owner: PasswordOwner): Promise<string[]> {
  const problems: string[] = [];
  const similar = similarAttribute(password, owner);
  if (similar) problems.push(`The password is too similar to the ${similar}.`);
  if ([...password].length < MIN_LENGTH) {
    problems.push(`This password is too short. It must contain at least ${MIN_LENGTH} characters.`);
  }
  if (await isCommonPassword(password)) problems.push("This password is too common.");
  if (/^\p{Nd}+$/u.test(password)) problems.push("This password is entirely numeric.");
  return problems;
}

function similarAttribute(password: string, owner: PasswordOwner): string | undefined {
  const lowered = password.toLowerCase();
  for (const [attribute, verboseName] of ATTRIBUTES) {
    const value = owner[attribute];
    if (!value) continue;
    // Like Python's re.split(r"\W+", value) + [value].
    const parts = [...value.split(/[^\p{L}\p{N}_]+/u), value];
    for (const part of parts) {
      const lowerPart = part.toLowerCase();
      if (exceedsMaximumLengthRatio(lowered, lowerPart)) continue;
      if (quickRatio(lowered, lowerPart) >= MAX_SIMILARITY) return verboseName;
    }
  }
  return undefined;
}

/** Django >= 4.2 skips values far shorter than the password; the comparison could not reach the bound. */
function exceedsMaximumLengthRatio(password: string, value: string): boolean {
  const passwordLength = [...password].length;
  const valueLength = [...value].length;
  return passwordLength >= 10 * valueLength && valueLength < (MAX_SIMILARITY / 2) * passwordLength;
}

/** difflib.SequenceMatcher(a, b).quick_ratio(): 2 * |multiset intersection| / (|a| + |b|). */
function quickRatio(a: string, b: string): number {
  const chars = [...a];
  const others = [...b];
  const total = chars.length + others.length;
  if (total === 0) return 1;
  const counts = new Map<string, number>();
  for (const ch of others) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let matches = 0;
  for (const ch of chars) {
    const left = counts.get(ch) ?? 0;
    if (left > 0) {
      counts.set(ch, left - 1);
      matches++;
    }
  }
  return (2 * matches) / total;
}
