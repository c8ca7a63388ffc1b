import { createRouter } from "../../lib/router";
import { passwordChangeHandler, passwordResetConfirmHandler, passwordResetHandler } from "./password.handlers";
import { passwordChangeRoute, passwordResetConfirmRoute, passwordResetRoute } from "./password.routes";

export const passwordRouter = createRouter()
  .openapi(passwordChangeRoute, passwordChangeHandler)
  .openapi(passwordResetRoute, passwordResetHandler)
  .openapi(passwordResetConfirmRoute, passwordResetConfirmHandler);
