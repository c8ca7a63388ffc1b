/** The store's own failures, named (OpenAuth's style): what they mean, not what HTTP answers them. */

/** A signed-in caller's work refused before any write: why (the HTTP layer answers simplejwt's 401s). */
export class CallerRefused extends Error {
  constructor(readonly reason: "user_not_found" | "user_inactive" | "session_ended") {
    super(`caller refused: ${reason}`);
    this.name = "CallerRefused";
  }
}

/** An integer the database holds that JavaScript cannot (above 2^53): refused rather than rounded. */
export class UnsafeInteger extends Error {
  constructor(readonly value: string) {
    super(`integer beyond 2^53 from the database: ${value}`);
    this.name = "UnsafeInteger";
  }
}
