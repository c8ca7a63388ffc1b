/** Django's `is_password_usable`: an unusable password (`set_unusable_password()`, a user created by social login) starts with `!`. */
export const UNUSABLE_PASSWORD_PREFIX = "!";

export function hasUsablePassword(encoded: string): boolean {
  return encoded !== "" && !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}
