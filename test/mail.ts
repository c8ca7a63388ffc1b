/**
 * Mail in tests: a recording EMAIL binding (the seam around Cloudflare's send_email, as the
 * password-reset and verification tests use it) and calls that run the Worker with it, their
 * deferred work (the mail) awaited. Also what the tests read back (rows, sessions, bucket keys) and
 * what the email-change tests start from (an owner with two sessions, a body with a picture).
 */
import { env } from "cloudflare:workers";
import { IMAGES } from "./fixtures/images";
import { call, decodeJwt, login, signedInUser } from "./helpers";
import { dbAll, dbRow, dbRun } from "./db";

export interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

type Options = Omit<NonNullable<Parameters<typeof call>[2]>, "env">;

/** A mailbox with these variables: `call` runs the Worker with both, and `sent` records what it mailed. */
export function mailbox(vars: Record<string, string> = {}) {
  const sent: Mail[] = [];
  const overrides = { ...vars, EMAIL: { send: async (message: Mail) => void sent.push(message) } } as never;
  return {
    sent,
    call: (method: string, path: string, options: Options = {}) => call(method, path, { ...options, env: overrides }),
    /** `[to, subject]` of every message, sorted (they are sent after the response, in no set order). */
    envelopes: () => sent.map((mail) => [mail.to, mail.subject]).sort(),
  };
}

export const from = (ip: string) => ({ "CF-Connecting-IP": ip });

export const RESET_SUBJECT = "Reset your password";
export const CONFIRM_SUBJECT = "Confirm your email address";
export const NOTICE_SUBJECT = "Your email address was changed";

/** The key of a verification link. */
export const keyIn = (mail: Mail) => /\/account\/verify-email\/([^/]+)\//.exec(mail.text)![1]!;

/** What a refused request must leave as it was: the user's row and their live sessions. */
export async function accountState(id: number) {
  const row = await dbRow("select username, email, pending_email, bio, first_name, profile_picture, email_verified from users where id = ?", id);
  const { results } = await dbAll("select id from token_families where user_id = ? and revoked_at is null order by id", id);
  return { row, sessions: results.map((r) => r.id) };
}

/** Marks user `username`'s address verified, as a confirmed key or a password reset would (without their mail). */
export async function markVerified(username: string): Promise<void> {
  await dbRun("update users set email_verified = ? where username = ?", true, username);
}

export async function bucketKeys(): Promise<string[]> {
  const listed = await env.BUCKET.list({ prefix: "profile_pics/" });
  return listed.objects.map((object) => object.key).sort();
}

export const MODES = ["none", "optional", "mandatory"] as const;

/** A signed-in owner with a second session (another device), as a thief holding the first access token finds them. */
export async function ownerWithTwoSessions() {
  const owner = await signedInUser();
  const device = await login(owner.username);
  return { ...owner, device: { ...device, sid: decodeJwt(device.access).payload.sid as string }, sid: decodeJwt(owner.access).payload.sid as string };
}

/** A multipart body of `fields` and a picture. */
export function picturePatch(fields: Record<string, string>) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  body.set("profile_picture", new File([IMAGES["tiny.png"]], "me.png"));
  return body;
}
