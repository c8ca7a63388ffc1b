/** DRF's unique-field errors for a username or email another user holds (registration, profile updates). */
import type { UniqueField } from "../store";
import type { FieldErrors } from "./errors";

const TAKEN: Record<UniqueField, string> = {
  username: "A user with that username already exists.",
  email: "A user with that email already exists.",
};

export function takenErrors(fields: Iterable<UniqueField>): FieldErrors {
  return Object.fromEntries([...fields].map((field) => [field, [TAKEN[field]]]));
}
