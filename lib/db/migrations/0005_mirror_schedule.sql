ALTER TABLE "mirror_calls" ADD COLUMN "seen_pass" integer;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "pass_reason" text;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "in_pass" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "pass_plan" jsonb;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "pass_pages" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "pass_summary" jsonb;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "pass_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "copied_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "served_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "refresh_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "recheck_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Copies made before passes were recorded: the best known moment they describe is when they completed.
UPDATE "mirror_syncs" SET "copied_at" = "last_success_at" WHERE "copied_at" IS NULL;
