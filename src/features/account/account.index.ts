import { createRouter } from "../../lib/router";
import { resetPageHandler } from "./account.handlers";
import { resetPageRoute } from "./account.routes";

export const accountPagesRouter = createRouter().openapi(resetPageRoute, resetPageHandler);
