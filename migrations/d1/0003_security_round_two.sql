CREATE TABLE `known_addresses` (
	`user_id` integer NOT NULL,
	`address` text NOT NULL,
	`last_login_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `address`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `token_families` ADD `previous_jti` text;--> statement-breakpoint
ALTER TABLE `token_families` ADD `rotated_at` integer;