import { createRouter } from "../../lib/router";
import { resetPageHandler, verifyPageHandler } from "./account.handlers";
import { resetPageRoute, verifyPageRoute } from "./account.routes";

export const accountPagesRouter = createRouter().openapi(resetPageRoute, resetPageHandler).openapi(verifyPageRoute, verifyPageHandler);
