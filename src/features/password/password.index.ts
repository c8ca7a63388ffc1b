import { createRouter } from "../../lib/router";
import { passwordChangeHandler } from "./password.handlers";
import { passwordChangeRoute } from "./password.routes";

export const passwordRouter = createRouter().openapi(passwordChangeRoute, passwordChangeHandler);
