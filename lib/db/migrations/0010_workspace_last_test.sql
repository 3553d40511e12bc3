ALTER TABLE "workspaces" ADD COLUMN "last_test_verdict" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "last_tested_at" timestamp with time zone;