/** PostgreSQL's notification and relation stores (./notifications.ts, ./relations.ts). */
export { postgresNotifications as postgresCallerNotificationStore } from "./notifications";
export { postgresRelations as postgresCallerRelationStore } from "./relations";
