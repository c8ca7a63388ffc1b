/**
 * Every externally visible failure, as a named class carrying its DRF-shaped body.
 * Handlers throw these; `onError` (error-handler.ts) is the one place that writes them out.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorBody = Record<string, unknown>;

/** Fields' messages in DRF's validation shape: `{"field": ["message", ...]}`. */
export type FieldErrors = Record<string, string[]>;

/** The header every 401 carries, as DRF's authenticate_header() gives it. */
export const WWW_AUTHENTICATE = 'Bearer realm="api"';

/** V8's (workerd's) knob for how many frames a new Error records. */
const V8Error = Error as ErrorConstructor & { stackTraceLimit: number };

/**
 * An answer, not a fault: it is written out as its body and never logged, so it records no stack
 * trace (in workerd an Error 20 frames deep costs 5.7 µs with its trace, 1 µs without).
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, body: ErrorBody, headers: Record<string, string> = {}) {
    const limit = V8Error.stackTraceLimit;
    V8Error.stackTraceLimit = 0;
    super(typeof body.detail === "string" ? body.detail : `HTTP ${status}`);
    V8Error.stackTraceLimit = limit;
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.name = new.target.name;
  }
}

export class ValidationFailed extends ApiError {
  constructor(readonly fields: FieldErrors) {
    super(400, fields);
  }
}

/** A client mistake DRF reports as `{"detail": ...}` with 400 (e.g. following yourself). */
export class BadRequest extends ApiError {
  constructor(detail: string) {
    super(400, { detail });
  }
}

export class ParseError extends ApiError {
  constructor(reason: string) {
    super(400, { detail: reason });
  }
}

abstract class Unauthorized extends ApiError {
  constructor(body: ErrorBody) {
    super(401, body, { "WWW-Authenticate": WWW_AUTHENTICATE });
  }
}

export class NotAuthenticated extends Unauthorized {
  constructor() {
    super({ detail: "Authentication credentials were not provided." });
  }
}

export class BadAuthorizationHeader extends Unauthorized {
  constructor() {
    super({ detail: "Authorization header must contain two space-delimited values", code: "bad_authorization_header" });
  }
}

/** Why a token was refused, in simplejwt's words. */
export type TokenProblem = "Token is invalid or expired" | "Token has wrong type" | "Token is blacklisted";

/** A bad Bearer token: simplejwt's long body naming the token class that was tried. */
export class InvalidAccessToken extends Unauthorized {
  constructor(message: TokenProblem) {
    super({
      detail: "Given token not valid for any token type",
      code: "token_not_valid",
      messages: [{ token_class: "AccessToken", token_type: "access", message }],
    });
  }
}

/** A bad token in a body (refresh, verify, logout): simplejwt's short body. */
export class InvalidToken extends Unauthorized {
  constructor(detail: TokenProblem) {
    super({ detail, code: "token_not_valid" });
  }
}

export class UserNotFound extends Unauthorized {
  constructor() {
    super({ detail: "User not found", code: "user_not_found" });
  }
}

export class UserInactive extends Unauthorized {
  constructor() {
    super({ detail: "User is inactive", code: "user_inactive" });
  }
}

/** A valid refresh token whose user has since been deactivated or deleted (simplejwt's words). */
export class NoActiveAccount extends Unauthorized {
  constructor() {
    super({ detail: "No active account found for the given token.", code: "no_active_account" });
  }
}

export class LoginFailed extends Unauthorized {
  constructor() {
    super({ detail: "No active account found with the given credentials" });
  }
}

export class PermissionDenied extends ApiError {
  constructor() {
    super(403, { detail: "You do not have permission to perform this action." });
  }
}

export class NotFound extends ApiError {
  constructor(detail = "Not found.") {
    super(404, { detail });
  }
}

export class MethodNotAllowed extends ApiError {
  constructor(method: string, allowed: string[]) {
    super(405, { detail: `Method "${method}" not allowed.` }, { Allow: allowed.join(", ") });
  }
}

export class PayloadTooLarge extends ApiError {
  constructor(maxBytes: number) {
    super(413, { detail: `Request body is larger than ${maxBytes} bytes.` });
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor(contentType: string) {
    super(415, { detail: `Unsupported media type "${contentType}" in request.` });
  }
}

export class Throttled extends ApiError {
  constructor(waitSeconds: number) {
    const wait = Math.max(1, Math.ceil(waitSeconds));
    super(429, { detail: `Request was throttled. Expected available in ${wait} seconds.` }, { "Retry-After": String(wait) });
  }
}

/** The deployment is misconfigured (e.g. no JWT secret): the client learns nothing more. */
export class ServerMisconfigured extends Error {
  override name = "ServerMisconfigured";
}
