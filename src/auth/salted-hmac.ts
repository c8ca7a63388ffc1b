/** Django's `salted_hmac` (SHA-256) and a constant-time comparison: the HMACs behind reset tokens and verification keys. */
const utf8 = new TextEncoder();

/** HMAC-SHA256 of `value` under SHA-256(`salt` + `secret`), as lowercase hex. */
export async function saltedHmacHex(salt: string, secret: string, value: string): Promise<string> {
  const key = await crypto.subtle.digest("SHA-256", utf8.encode(salt + secret));
  const hmacKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, utf8.encode(value)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Whether two strings of one length are equal, in time that does not depend on where they differ. */
export function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
