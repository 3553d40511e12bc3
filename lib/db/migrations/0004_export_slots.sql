CREATE TABLE "export_slots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"user_key" text NOT NULL,
	"batch_id" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expected_end_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "export_slots" ADD CONSTRAINT "export_slots_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "export_slots_workspace_idx" ON "export_slots" USING btree ("workspace_id","heartbeat_at");