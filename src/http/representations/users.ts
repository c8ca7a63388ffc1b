/** Builds the three JSON shapes of a user (user-schemas.ts) from a row; never the password hash. */
import type { AdminUserRow, UserRow } from "../../store";
import { hasUsablePassword } from "../../auth/passwords/usable";
import type { AdminUser, Profile, PublicUser, SignInMethods } from "./user-schemas";

/** The absolute URL of a picture's `/media/...` object on the request's origin. */
export function mediaUrl(origin: string, key: string | null): string | null {
  return key === null ? null : `${origin}/media/${key}`;
}

export function profileOf(user: UserRow, origin: string): Profile {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    bio: user.bio,
    profile_picture: mediaUrl(origin, user.profilePicture),
    followers_count: user.followersCount,
    following_count: user.followingCount,
    date_joined: user.dateJoined.toISOString(),
    email_verified: user.emailVerified,
    pending_email: user.pendingEmail,
    mfa_enabled: user.mfaEnabled,
  };
}

export function publicUserOf(user: UserRow, isFollowing: boolean, origin: string): PublicUser {
  return {
    id: user.id,
    username: user.username,
    bio: user.bio,
    profile_picture: mediaUrl(origin, user.profilePicture),
    followers_count: user.followersCount,
    following_count: user.followingCount,
    is_following: isFollowing,
  };
}

export function adminUserOf(user: AdminUserRow, origin: string): AdminUser {
  return {
    ...profileOf(user, origin),
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    is_active: user.isActive,
    last_login: user.lastLogin ? user.lastLogin.toISOString() : null,
    sign_in_methods: signInMethodsOf(user, { socialAccounts: user.socialProviders }),
  };
}

/**
 * How `user` can sign in: `socialAccounts`, the providers of their linked social accounts (read
 * with the row: `AdminUserRow`); the passkey count is the user row's own (moved with every
 * registration and deletion).
 */
export function signInMethodsOf(user: UserRow, extra: { socialAccounts?: string[] } = {}): SignInMethods {
  return {
    local_login: hasUsablePassword(user.password),
    two_factor: user.mfaEnabled,
    social_accounts: extra.socialAccounts ?? [],
    passkeys: user.passkeyCount,
  };
}
