/** Case-insensitive matches on the unique user fields, written so SQLite uses their expression indexes. */
import { and, ne, sql } from "drizzle-orm";
import { users } from "./schema";

export const sameUsername = (username: string) => sql`lower(${users.username}) = lower(${username})`;

// `email <> ''` lets SQLite use the partial unique index.
export const sameEmail = (email: string) => and(ne(users.email, ""), sql`lower(${users.email}) = lower(${email})`);
