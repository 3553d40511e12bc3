CREATE TABLE "batch_starts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"parent_batch_id" text NOT NULL,
	"reason_key" text,
	"reason_label" text,
	"agent_id" text NOT NULL,
	"scheduled_at" timestamp with time zone,
	"smart_callback_config" jsonb,
	"row_count" integer NOT NULL,
	"excluded_count" integer DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'sending' NOT NULL,
	"child_batch_id" text,
	"error" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mirror_syncs" ADD COLUMN "cancelled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tracked_batches" ADD COLUMN "parent_batch_id" text;--> statement-breakpoint
ALTER TABLE "tracked_batches" ADD COLUMN "root_batch_id" text;--> statement-breakpoint
ALTER TABLE "tracked_batches" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tracked_batches" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspace_access" ADD COLUMN "grants" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "default_agent_id" text;--> statement-breakpoint
ALTER TABLE "batch_starts" ADD CONSTRAINT "batch_starts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_starts" ADD CONSTRAINT "batch_starts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "batch_starts_key" ON "batch_starts" USING btree ("workspace_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "batch_starts_parent_idx" ON "batch_starts" USING btree ("workspace_id","parent_batch_id");--> statement-breakpoint
CREATE INDEX "tracked_batches_root_idx" ON "tracked_batches" USING btree ("workspace_id","root_batch_id");