/**
 * The social-login part of the store (API.md "Social login"): which user a provider identity
 * signs in, linking and creating accounts for it, the browser flow's one-time codes, and a
 * signed-in caller's linked accounts. Every decision that must not race (an identity linked
 * twice, a link to a user whose email stopped being verified, the last way to sign in removed)
 * is a condition of the write itself, on both engines.
 */
import type { Guarded } from "./store";
import type { NewUser, Taken, UserRow } from "./rows";

/** An identity a provider vouched for. `uid` is its stable id there; the email is the provider's, verified or not. */
export interface ProviderIdentity {
  provider: string;
  uid: string;
  email: string | null;
  emailVerified: boolean;
}

export interface SocialAccountRow {
  id: number;
  userId: number;
  provider: string;
  uid: string;
  email: string | null;
  createdAt: Date;
}

/** What an account holder needs to be told apart: signed in, linked to, or refused. */
export type MatchedUser = Pick<UserRow, "id" | "username" | "isActive" | "emailVerified">;

/** What the first read of a sign-in found: the user the identity is linked to, a user holding its email, and which of the wanted usernames are taken. */
export interface IdentityMatch {
  linked?: MatchedUser;
  emailHolder?: MatchedUser;
  /** The candidates (as given) that some user holds, ignoring case. */
  takenUsernames: string[];
}

/** Why a conditional link or creation did not land: the state it was decided on changed meanwhile. */
export type SocialWriteRefused = Taken | { identityTaken: true } | { changed: true };

export interface OAuthStore {
  /** One read: the user linked to `identity`, the user holding its email (ignoring case) if any, and the taken `usernames`. */
  match(identity: ProviderIdentity, usernames: string[]): Promise<IdentityMatch>;
  /**
   * Links `identity` to user `userId` only while that user is active and holds the identity's
   * email, verified (checked in the insert itself). `changed` when those no longer hold,
   * `identityTaken` when the identity got linked meanwhile.
   */
  linkByEmail(userId: number, identity: ProviderIdentity, now: number): Promise<{ linked: true } | SocialWriteRefused>;
  /** A new user and its link, together; a unique index refusing either is returned and neither lands. */
  createWithIdentity(user: NewUser, identity: ProviderIdentity, now: number): Promise<{ id: number } | SocialWriteRefused>;
  /** Keeps a one-time code (its hash) for user `userId` until `expiresAt`; expired codes are swept in the same write. */
  saveCode(codeHash: string, userId: number, expiresAt: Date, now: number): Promise<void>;
  /** Takes a code once: the user it names, if it was there and unexpired (of concurrent takes, one gets it). */
  takeCode(codeHash: string, now: number): Promise<{ userId: number } | undefined>;
}

export interface CallerSocialAccountStore {
  /** The caller's linked accounts, oldest first. */
  list(): Promise<Guarded<{ accounts: SocialAccountRow[] }>>;
  /** Links `identity` to the caller (a repeat answers the same link); `otherUser` when another user holds it. */
  connect(identity: ProviderIdentity, now: number): Promise<Guarded<{ account?: SocialAccountRow; otherUser: boolean }>>;
  /**
   * Removes one of the caller's links, only while another way to sign in remains (a usable
   * password, a passkey, another link: see sign-in-methods on each engine), decided in the delete.
   */
  unlink(id: number): Promise<Guarded<{ outcome: "unlinked" | "not_found" | "last_method" }>>;
}
