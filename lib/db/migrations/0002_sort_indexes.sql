DROP INDEX "mirror_calls_start_idx";--> statement-breakpoint
DROP INDEX "mirror_calls_end_idx";--> statement-breakpoint
DROP INDEX "mirror_calls_duration_idx";--> statement-breakpoint
DROP INDEX "mirror_calls_phone_idx";--> statement-breakpoint
CREATE INDEX "mirror_calls_start_asc_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","start_time","row_no");--> statement-breakpoint
CREATE INDEX "mirror_calls_start_desc_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","start_time" DESC NULLS LAST,"row_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mirror_calls_end_asc_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","end_time","row_no");--> statement-breakpoint
CREATE INDEX "mirror_calls_end_desc_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","end_time" DESC NULLS LAST,"row_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mirror_calls_duration_asc_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","duration_s","row_no");--> statement-breakpoint
CREATE INDEX "mirror_calls_duration_desc_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","duration_s" DESC NULLS LAST,"row_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mirror_calls_phone_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","phone_number","row_no");