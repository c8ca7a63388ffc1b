/** The migrated database each PostgreSQL test file clones. */
export const TEMPLATE_DATABASE = "template_smapi";
