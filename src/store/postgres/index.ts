export { createPostgresStore, openPostgresStore } from "./store";
export type { Tally } from "./client";
