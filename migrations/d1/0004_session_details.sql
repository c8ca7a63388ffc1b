ALTER TABLE `token_families` ADD `last_used_at` integer;--> statement-breakpoint
ALTER TABLE `token_families` ADD `user_agent` text;