ALTER TABLE "rate_limits" ADD COLUMN "blocked_until" timestamp with time zone;--> statement-breakpoint
-- Rows of the previous throttle (rate-limiter-flexible's keys) mean nothing to the new scheme.
DELETE FROM "rate_limits";
