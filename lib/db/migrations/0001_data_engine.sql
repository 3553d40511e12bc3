-- Trigram search over mirrored calls (PGlite loads the extension in lib/db/index.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "mirror_calls" (
	"workspace_id" uuid NOT NULL,
	"batch_id" text NOT NULL,
	"job_id" text NOT NULL,
	"row_no" integer NOT NULL,
	"status" text NOT NULL,
	"phone_number" text NOT NULL,
	"start_time" timestamp (3) with time zone,
	"end_time" timestamp (3) with time zone,
	"duration_s" double precision,
	"error" text,
	"reason_key" text,
	"metadata" jsonb NOT NULL,
	"search_text" text NOT NULL,
	CONSTRAINT "mirror_calls_workspace_id_batch_id_job_id_pk" PRIMARY KEY("workspace_id","batch_id","job_id")
);
--> statement-breakpoint
CREATE TABLE "mirror_syncs" (
	"workspace_id" uuid NOT NULL,
	"batch_id" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"frozen" boolean DEFAULT false NOT NULL,
	"owner" text,
	"pass" integer DEFAULT 0 NOT NULL,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"total_pages" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"next_sync_at" timestamp with time zone DEFAULT now() NOT NULL,
	"error" text,
	"upstream_summary" jsonb,
	"mismatch" jsonb,
	CONSTRAINT "mirror_syncs_workspace_id_batch_id_pk" PRIMARY KEY("workspace_id","batch_id")
);
--> statement-breakpoint
CREATE TABLE "tracked_batches" (
	"workspace_id" uuid NOT NULL,
	"batch_id" text NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"added_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_summary" jsonb,
	"summary_read_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "tracked_batches_workspace_id_batch_id_pk" PRIMARY KEY("workspace_id","batch_id")
);
--> statement-breakpoint
CREATE TABLE "upstream_cache" (
	"cache_key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upstream_pauses" (
	"budget_key" text PRIMARY KEY NOT NULL,
	"until" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upstream_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"budget_key" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"priority" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mirror_calls" ADD CONSTRAINT "mirror_calls_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD CONSTRAINT "mirror_syncs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracked_batches" ADD CONSTRAINT "tracked_batches_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracked_batches" ADD CONSTRAINT "tracked_batches_added_by_users_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mirror_calls_row_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","row_no");--> statement-breakpoint
CREATE INDEX "mirror_calls_status_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","status","row_no");--> statement-breakpoint
CREATE INDEX "mirror_calls_start_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","start_time");--> statement-breakpoint
CREATE INDEX "mirror_calls_end_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","end_time");--> statement-breakpoint
CREATE INDEX "mirror_calls_duration_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","duration_s");--> statement-breakpoint
CREATE INDEX "mirror_calls_phone_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","phone_number");--> statement-breakpoint
CREATE INDEX "mirror_calls_reason_idx" ON "mirror_calls" USING btree ("workspace_id","batch_id","reason_key");--> statement-breakpoint
CREATE INDEX "mirror_calls_search_idx" ON "mirror_calls" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "mirror_syncs_due_idx" ON "mirror_syncs" USING btree ("state","next_sync_at");--> statement-breakpoint
CREATE INDEX "upstream_cache_expires_idx" ON "upstream_cache" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "upstream_requests_key_at_idx" ON "upstream_requests" USING btree ("budget_key","at");