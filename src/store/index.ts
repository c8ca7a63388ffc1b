export type * from "./rows";
export type * from "./store";
export type * from "./throttle";
export type * from "./social";
<<<<<<< HEAD
export type * from "./oauth";
=======
export type * from "./sign-in";
>>>>>>> signin-mfa
export { KNOWN_ADDRESS_MS } from "./throttle";
export { CallerRefused, UnsafeInteger } from "./errors";
