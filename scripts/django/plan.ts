/**
 * Decides what to import and writes the SQL: users keep their Django ids and hashes; anything
 * that would collide with a different existing user is skipped with the reason; re-running
 * finds its own earlier work and skips it; follow counters are recomputed from the rows.
 */
import { isSupportedHash } from "../../src/auth/passwords/hashers";
import { literal } from "../d1";
import type { DjangoData, DjangoUser } from "./read";

export interface ExistingUser {
  id: number;
  username: string;
  email: string;
}

export interface ImportPlan {
  sql: string;
  imported: DjangoUser[];
  alreadyThere: DjangoUser[];
  skipped: { user: DjangoUser; reason: string }[];
  follows: number;
  skippedFollows: { follower: number; followee: number; reason: string }[];
  warnings: string[];
}

const lower = (text: string) => text.toLowerCase();

export function planImport(data: DjangoData, existing: ExistingUser[]): ImportPlan {
  const byId = new Map(existing.map((user) => [user.id, user]));
  const usernames = new Map(existing.map((user) => [lower(user.username), user.username]));
  const emails = new Map(existing.filter((user) => user.email).map((user) => [lower(user.email), user.username]));
  const plan: ImportPlan = { sql: "", imported: [], alreadyThere: [], skipped: [], follows: 0, skippedFollows: [], warnings: [] };
  const statements: string[] = [];

  for (const user of data.users) {
    const holder = byId.get(user.id);
    if (holder && lower(holder.username) === lower(user.username)) {
      plan.alreadyThere.push(user);
      continue;
    }
    const reason = holder
      ? `id ${user.id} belongs to another user here (${holder.username})`
      : usernames.has(lower(user.username))
        ? `username taken here, ignoring letter case (by ${usernames.get(lower(user.username))})`
        : user.email && emails.has(lower(user.email))
          ? `email ${user.email} taken here, ignoring letter case (by ${emails.get(lower(user.email))})`
          : undefined;
    if (reason) {
      plan.skipped.push({ user, reason });
      continue;
    }
    usernames.set(lower(user.username), user.username);
    if (user.email) emails.set(lower(user.email), user.username);
    plan.imported.push(user);
    if (!isSupportedHash(user.password)) {
      plan.warnings.push(`${user.username}: password hash "${user.password.split("$")[0]}" cannot be verified here; the user must be given a new password`);
    }
    if (user.profilePicture) {
      plan.warnings.push(`${user.username}: profile picture ${user.profilePicture} is not copied; upload it with: npx wrangler r2 object put social-media-api-media/${user.profilePicture} --file <MEDIA_ROOT>/${user.profilePicture}`);
    }
    const row: Record<string, string | number | boolean | null> = {
      id: user.id,
      password: user.password,
      last_login: user.lastLogin,
      is_superuser: user.isSuperuser,
      username: user.username,
      first_name: user.firstName,
      last_name: user.lastName,
      email: user.email,
      is_staff: user.isStaff,
      is_active: user.isActive,
      date_joined: user.dateJoined,
      bio: user.bio,
      profile_picture: user.profilePicture,
    };
    // ON CONFLICT DO NOTHING: a row that appeared since we looked is kept, never overwritten.
    statements.push(`INSERT INTO users (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(literal).join(", ")}) ON CONFLICT DO NOTHING;`);
  }

  const present = new Set([...plan.imported, ...plan.alreadyThere].map((user) => user.id));
  const now = Date.now();
  for (const follow of data.follows) {
    const reason =
      follow.followerId === follow.followeeId
        ? "a user following themselves"
        : !present.has(follow.followerId) || !present.has(follow.followeeId)
          ? "one of the two users was not imported"
          : undefined;
    if (reason) {
      plan.skippedFollows.push({ follower: follow.followerId, followee: follow.followeeId, reason });
      continue;
    }
    plan.follows += 1;
    statements.push(
      `INSERT INTO follows (follower_id, followee_id, created_at) VALUES (${follow.followerId}, ${follow.followeeId}, ${now}) ON CONFLICT DO NOTHING;`,
    );
  }
  if (statements.length > 0) {
    statements.push(
      "UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id), following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);",
    );
  }
  plan.sql = statements.join("\n");
  return plan;
}
