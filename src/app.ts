/** The whole API: every feature mounted at its contract path. */
import { healthRoutes } from "./features/health/health.routes";
import { docsRoutes } from "./features/docs/docs.routes";
import { followsRoutes } from "./features/follows/follows.routes";
import { mediaRoutes } from "./features/media/media.routes";
import { passwordRoutes } from "./features/password/password.routes";
import { profileRoutes } from "./features/profile/profile.routes";
import { registrationRoutes } from "./features/registration/registration.routes";
import { sessionRoutes } from "./features/session/session.routes";
import { usersRoutes } from "./features/users/users.routes";
import { answerOtherMethods } from "./http/method-not-allowed";
import { createApp } from "./lib/create-app";

export const app = createApp()
  .route("/", healthRoutes)
  .route("/", mediaRoutes)
  .route("/api/auth", registrationRoutes)
  .route("/api/auth", sessionRoutes)
  .route("/api/auth", passwordRoutes)
  .route("/api/auth", profileRoutes)
  .route("/api/auth", followsRoutes)
  .route("/api/users", usersRoutes)
  .route("/api", docsRoutes);

answerOtherMethods(app);

/** The API's type, for `hc<AppType>()` from hono/client. */
export type AppType = typeof app;
