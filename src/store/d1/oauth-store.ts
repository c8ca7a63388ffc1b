/** D1's `OAuthStore` and the caller's linked accounts: each method one statement or one batch (one transaction). */
import { eq } from "drizzle-orm";
import type { CallerSocialAccountStore, OAuthStore, SocialWriteRefused } from "../oauth";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import {
  accountsOf,
  emailHolder,
  identityRow,
  insertLink,
  linkedUser,
  newUser,
  ownAccount,
  saveCodeStatements,
  takeCode,
  takenUsernames,
  unlinkStatement,
  verifiedHolder,
} from "./social-accounts";
import { users } from "./schema";
import { uniqueViolation } from "./unique-violation";

/** D1's words for the identity's unique index refusing an insert. */
const identityTaken = (error: unknown) => {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message.includes("UNIQUE constraint failed: social_accounts.")) return true;
  }
  return false;
};

/** A write that a unique index may refuse: which one, as the store's answer. */
async function refusedBy<T>(write: () => Promise<T>): Promise<T | SocialWriteRefused> {
  try {
    return await write();
  } catch (error) {
    if (identityTaken(error)) return { identityTaken: true };
    const taken = uniqueViolation(error);
    if (taken) return { taken };
    throw error;
  }
}

export function d1OAuthStore(db: Database): OAuthStore {
  return {
    async match(identity, usernames) {
      const [[linked], [holder], taken] = await db.batch([linkedUser(db, identity), emailHolder(db, identity.email), takenUsernames(db, usernames)]);
      const held = new Set(taken.map((row) => row.username.toLowerCase()));
      return { linked, emailHolder: holder, takenUsernames: usernames.filter((name) => held.has(name.toLowerCase())) };
    },

    async linkByEmail(userId, identity, now) {
      if (!identity.email) return { changed: true };
      const [inserted, [row]] = await db.batch([insertLink(db, identity, verifiedHolder(userId, identity.email), now), identityRow(db, identity)]);
      if (inserted.length > 0) return { linked: true };
      return row ? { identityTaken: true } : { changed: true };
    },

    createWithIdentity(user, identity, now) {
      return refusedBy(async () => {
        // One batch, one transaction: the link's insert failing on its unique index undoes the user's.
        const [[created]] = await db.batch([
          db.insert(users).values(user).returning({ id: users.id }),
          insertLink(db, identity, newUser(user), now, { orNothing: false }),
        ]);
        return { id: created!.id };
      });
    },

    async saveCode(codeHash, userId, expiresAt, now) {
      await db.batch(saveCodeStatements(db, codeHash, userId, expiresAt, now));
    },

    async takeCode(codeHash, now) {
      const [row] = await takeCode(db, codeHash, now);
      return row;
    },
  };
}

export function d1CallerSocialAccountStore(db: Database, scope: CallerScope): CallerSocialAccountStore {
  const id = scope.id;
  return {
    async list() {
      const { caller, results: [accounts] } = await scope.batch([accountsOf(db, id)]);
      return { caller, accounts };
    },

    async connect(identity, now) {
      const { caller, results: [inserted, [row]] } = await scope.batch([insertLink(db, identity, eq(users.id, id), now), identityRow(db, identity)]);
      const account = inserted[0] ?? row;
      if (account && account.userId !== id) return { caller, otherUser: true };
      return { caller, account, otherUser: false };
    },

    async unlink(accountId) {
      const { caller, results: [[own], deleted] } = await scope.batch([ownAccount(db, id, accountId), unlinkStatement(db, id, accountId)]);
      return { caller, outcome: !own ? "not_found" : deleted.length > 0 ? "unlinked" : "last_method" };
    },
  };
}
