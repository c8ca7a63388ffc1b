export { createPostgresStore } from "./store";
export type { Tally } from "./client";
