/**
 * D1's `CallerStore`: each method is one batch behind the caller's guard (./caller-scope.ts), so
 * the caller is read with the work and a refused caller's writes never land.
 */
import type { AdminUserRow, EndedSession } from "../rows";
import type { CallerIdentity, CallerStore } from "../store";
import { deleteUserStatements } from "./account-deletion";
import { callerHasRole, callerMayChangeStatusOf } from "./caller";
import { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { followPageStatements, followStatements, unfollowStatements } from "./follows";
import { knownAddressPage } from "./known-addresses";
import { mailSlotStatements } from "./mail-throttle";
import { d1CallerSocialAccountStore } from "./oauth-store";
import { d1CallerMfaStore, forgetMfaStatements } from "./mfa-store";
import { d1CallerPasskeyStore } from "./passkey-store";
import { d1CallerContentStore } from "./content-store";
import { d1CallerExportStore } from "./export-store";
import { d1CallerFeedStore } from "./feed-store";
import { d1ProfileStore } from "./profile-store";
import { d1CallerNotificationStore, d1CallerRelationStore } from "./relation-store";
import { releaseSlots, reserveSlots, windowCounts } from "./throttle";
import { endSession, liveSessionsOf, revokeAllFamiliesOf } from "./token-families";
import { adminUserUpdate, knownUser, passwordUpdate, userSeenBy, usersPage } from "./users";

const FOLLOW_STATEMENTS = { follow: followStatements, unfollow: unfollowStatements };

export function d1CallerStore(db: Database, identity: CallerIdentity): CallerStore {
  const scope = new CallerScope(db, identity);
  const id = identity.id;
  return {
    identity,
    check: () => scope.check(),

    async reserve(rules, now) {
      const { caller, results: [slots, counts] } = await scope.batch([reserveSlots(db, rules, now), windowCounts(db, rules, now)]);
      return { caller, reservation: { slots: slots.map((slot) => slot.id), counts } };
    },

    async releaseSlots(ids) {
      if (ids.length > 0) await releaseSlots(db, ids).run();
    },

    async countMail(ask, now) {
      const { caller, results: [slots, counts] } = await scope.batch(mailSlotStatements(db, ask, now));
      return { caller, mail: { slots, counts } };
    },

    profile: d1ProfileStore(db, scope),
    content: d1CallerContentStore(db, scope),
    feed: d1CallerFeedStore(db, scope),
    notifications: d1CallerNotificationStore(db, scope),
    relations: d1CallerRelationStore(db, scope),
    socialAccounts: d1CallerSocialAccountStore(db, scope),
    mfa: d1CallerMfaStore(db, scope),
    export: d1CallerExportStore(db, scope),
    passkeys: d1CallerPasskeyStore(db, scope),

    async changePassword(hashes) {
      // The hash is swapped only if it is still the one checked, and every session ends with it.
      const { caller, results: [changed, ended] } = await scope.batch([passwordUpdate(db, id, hashes.expected, hashes.next), revokeAllFamiliesOf(db, id)]);
      return { caller, changed: changed.length > 0, ended };
    },

    sessions: {
      async list(now) {
        const { caller, results: [sessions] } = await scope.batch([liveSessionsOf(db, id, now)]);
        return { caller, sessions };
      },
      async end(sessionId, now) {
        const { caller, results: [[ended]] } = await scope.batch([endSession(db, id, sessionId, now)]);
        return { caller, ended };
      },
      async endAll() {
        const { caller, results: [ended] } = await scope.batch([revokeAllFamiliesOf(db, id)]);
        return { caller, ended };
      },
    },

    follows: {
      async change(action, targetId, now) {
        const { caller, results } = await scope.batch(FOLLOW_STATEMENTS[action](db, id, targetId, now));
        const [edge, [target]] = [results[3], results[4]];
        if (!target) return { caller };
        return { caller, target: { ...target, blocked: Boolean(target.blocked), changed: edge.length > 0 } };
      },
      async page(ownerId, direction, cursor, limit) {
        const { caller, results: [[owner], rows] } = await scope.batch(followPageStatements(db, id, ownerId, direction, cursor, limit));
        const entries = rows.map((row) => ({ position: row.position, user: row.user, isFollowing: Boolean(row.isFollowing) }));
        return { caller, ownerExists: owner !== undefined, entries };
      },
    },

    users: {
      async seen(userId) {
        const { caller, results: [[target]] } = await scope.batch([userSeenBy(db, id, userId)]);
        return { caller, user: target?.user, isFollowing: Boolean(target?.isFollowing) };
      },
      async page(search, offset, limit) {
        const { caller, results: [[total], rows] } = await scope.batch(usersPage(db, id, search, offset, limit));
        return { caller, count: total?.count ?? 0, rows };
      },
    },

    admin: {
      async changeUser(targetId, changes, need) {
        // The caller's role, and for is_active the target's, are conditions of the writes themselves.
        const permitted = changes.isActive === undefined || need === "superuser" ? callerHasRole(db, id, need) : callerMayChangeStatusOf(db, id, targetId);
        const { caller, results } = await scope.batch([
          knownUser(db, targetId),
          adminUserUpdate(db, targetId, changes, permitted),
          // Deactivation ends every session in the same transaction.
          ...(changes.isActive === false ? [revokeAllFamiliesOf(db, targetId, permitted)] : []),
          // Two-factor turned off: its secret, codes and waiting sign-ins go with it.
          ...(changes.mfaEnabled === false ? forgetMfaStatements(db, targetId, permitted) : []),
        ]);
        const [[target], [user], maybeEnded] = results as unknown as [{ id: number }[], AdminUserRow[], unknown];
        const ended = changes.isActive === false ? (maybeEnded as EndedSession[]) : [];
        return { caller, user, exists: target !== undefined, ended };
      },
      async deleteUser(targetId) {
        const { caller, results } = await scope.batch(deleteUserStatements(db, targetId, callerHasRole(db, id, "superuser")));
        const [, , , , , ended, [deleted]] = results;
        return { caller, deleted, ended };
      },
    },

    async deleteAccount() {
      const { caller, results } = await scope.batch(deleteUserStatements(db, id));
      const [, , , , , ended, [deleted]] = results;
      return { caller, deleted, ended };
    },

    async knownAddresses(after, limit) {
      const { caller, results: [rows] } = await scope.batch([knownAddressPage(db, id, after, limit)]);
      return { caller, rows };
    },
  };
}
