/** The whole API: every feature's router mounted at its contract path. */
import { accountPagesRouter } from "./features/account/account.index";
import { createDocsRouter } from "./features/docs/docs.index";
import { feedRouter } from "./features/feed/feed.index";
import { openApiDocument } from "./features/docs/docs.document";
import { commentsRouter } from "./features/comments/comments.index";
import { followsRouter } from "./features/follows/follows.index";
import { healthRouter } from "./features/health/health.index";
import { jwksRouter } from "./features/jwks/jwks.index";
import { mediaRouter } from "./features/media/media.index";
import { mfaRouter } from "./features/mfa/mfa.index";
import { likesRouter } from "./features/likes/likes.index";
import { notificationsRouter } from "./features/notifications/notifications.index";
import { passkeysRouter } from "./features/passkeys/passkeys.index";
import { passwordRouter } from "./features/password/password.index";
import { postsRouter } from "./features/posts/posts.index";
import { profileRouter } from "./features/profile/profile.index";
import { registrationRouter } from "./features/registration/registration.index";
import { relationsRouter } from "./features/relations/relations.index";
import { sessionsRouter } from "./features/sessions/sessions.index";
import { socialLoginRouter } from "./features/social-login/social-login.index";
import { tokensRouter } from "./features/tokens/tokens.index";
import { usersRouter } from "./features/users/users.index";
import type { OpenApiDocument } from "./http/metadata";
import { answerUnmatched } from "./http/unmatched";
import { createApp } from "./lib/create-app";

const api = createApp()
  .route("/", healthRouter)
  .route("/", mediaRouter)
  .route("/", jwksRouter)
  .route("/", accountPagesRouter)
  .route("/api/auth", registrationRouter)
  .route("/api/auth", tokensRouter)
  .route("/api/auth", mfaRouter)
  .route("/api/auth", passkeysRouter)
  .route("/api/auth", sessionsRouter)
  .route("/api/auth", socialLoginRouter)
  .route("/api/auth", passwordRouter)
  .route("/api/auth", profileRouter)
  .route("/api/auth", followsRouter)
  // Before the users routes: `/api/users/relationships/` is not a user's id.
  .route("/api", relationsRouter)
  .route("/api/users", usersRouter)
  .route("/api/notifications", notificationsRouter)
  .route("/api", postsRouter)
  .route("/api", commentsRouter)
  .route("/api", likesRouter)
  .route("/api/feed", feedRouter);

// The docs router's `/schema` describes the app it is mounted on (`route` returns that same app).
export const app = api.route("/api", createDocsRouter(() => api));

app.notFound(answerUnmatched(app, () => openApiDocument(app) as OpenApiDocument));

/** The API's type, for `hc<AppType>()` from hono/client. */
export type AppType = typeof app;
