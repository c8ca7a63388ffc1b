/**
 * DRF's list filters as the course projects configure them: SearchFilter's terms (`?search=`) and
 * django-filter's choice of a related object by id (`?author=`, `?post=`). Both run before the
 * pagination, so their 400s come before a bad cursor's 404.
 */
import { ValidationFailed } from "./errors";
import { MESSAGES, pythonStrip } from "./fields";

// Python's `\s` (str.isspace()), as Django's smart_split splits on it.
const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
// django.utils.text.smart_split: words, keeping quoted phrases (with backslash escapes) whole.
const SMART_SPLIT = new RegExp(`(?:[^${SPACE}'"]*(?:(?:"(?:[^"\\\\]|\\\\[^\\n])*"|'(?:[^'\\\\]|\\\\[^\\n])*')[^${SPACE}'"]*)+)|[^${SPACE}]+`, "gu");

/** django.utils.text.unescape_string_literal. */
function unescapeStringLiteral(literal: string): string {
  const quote = literal[0]!;
  return literal.slice(1, -1).replaceAll(`\\${quote}`, quote).replaceAll("\\\\", "\\");
}

/** Python's `str.strip(",")`. */
const stripCommas = (text: string) => text.replace(/^,+|,+$/g, "");

/**
 * SearchFilter's terms (DRF 3.15 `search_smart_split`): split on whitespace, a quoted phrase kept
 * whole (its quotes and escapes removed), other words split on commas. A term that is empty
 * matches everything, so it is dropped. NUL characters: DRF's CharField refuses them (400).
 */
export function searchTerms(value: string | undefined): string[] {
  if (!value) return [];
  if (value.includes("\0")) throw new ValidationFailed({ search: [MESSAGES.nullCharacter] });
  const terms: string[] = [];
  for (const [word] of value.matchAll(SMART_SPLIT)) {
    const term = stripCommas(word);
    if ((term.startsWith('"') || term.startsWith("'")) && term[0] === term.at(-1)) terms.push(unescapeStringLiteral(term));
    else for (const part of term.split(",")) if (part) terms.push(pythonStrip(part));
  }
  return terms.filter((term) => term !== "");
}

const INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices.";

/** django-filter's 400 for `?<field>=` naming nothing. */
export const invalidChoice = (field: string) => new ValidationFailed({ [field]: [INVALID_CHOICE] });

/**
 * django-filter's ModelChoiceFilter by primary key: absent or empty filters nothing; otherwise
 * what Python's int() reads (surrounding whitespace, a sign, digits with single underscores), or
 * the invalid-choice 400. Whether that id names an object the caller may see is the store's answer.
 */
export function choiceFilter(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const digits = /^\+?([0-9]+(?:_[0-9]+)*)$/.exec(pythonStrip(value));
  const id = digits ? Number(digits[1]!.replaceAll("_", "")) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw invalidChoice(field);
  return id;
}
