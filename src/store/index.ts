export type * from "./rows";
export type * from "./store";
export type * from "./throttle";
export type * from "./social";
export type * from "./sign-in";
export type * from "./mfa";
export type * from "./passkeys";
export { KNOWN_ADDRESS_MS } from "./throttle";
export { CallerRefused, UnsafeInteger } from "./errors";
