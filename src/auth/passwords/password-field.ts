/** The password fields of every body (register, login, password change). */
import { charField } from "../../http/fields";

/**
 * DRF's CharField trims whitespace, passwords included; the original API hashed trimmed
 * passwords, so we trim too or its users could not log in. 4096 characters bounds hashing work.
 */
export const passwordField = () => charField({ maxLength: 4096 });
