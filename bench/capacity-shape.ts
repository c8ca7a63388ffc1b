/** The capacity study's data, the same on both engines (bench/capacity.ts). */
export const STARS = [0.4, 0.25, 0.15, 0.1, 0.1]; // followers of users 1..5, as a share of the users
export const SPREAD = 9; // follows per user besides the stars: 3 power-law, 6 uniform

/** A filled database: its counts, bytes (indexes included) and how long the fill took. */
export interface Size {
  users: number;
  follows: number;
  bytes: { users: number; follows: number; total: number };
  seconds: { users: number; follows: number };
}
