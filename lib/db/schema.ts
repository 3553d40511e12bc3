import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// The tables of people, access and Trillet connections. Same schema on PGlite and PostgreSQL.

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const ROLES = ["admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored lower-cased and trimmed; unique.
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    passwordHash: text("password_hash"),
    role: text("role", { enum: ROLES }).notNull().default("member"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

// One row per signed-in browser. The session cookie (a JWT) names its row; deleting the row
// signs that browser out on its next request, which is how disable and "sign out everywhere" work.
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    // The last time this browser proved who it is (password, or a sign-in at the OIDC provider):
    // admin changes need it recent (lib/auth/fresh-sign-in.ts).
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }).notNull().defaultNow(),
    // Set by "Link <provider> sign-in" on the account page: the next OIDC sign-in of this browser
    // (within minutes) links that identity to this session's user instead of signing in.
    oidcLinkRequestedAt: timestamp("oidc_link_requested_at", { withTimezone: true }),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

// An OIDC identity (the provider's issuer and its subject for the person) linked to a user: OIDC
// sign-in finds people by this pair, never by email, so an email changed at (or claimed at) the
// provider cannot land on someone else's account.
export const userIdentities = pgTable(
  "user_identities",
  {
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // The email the provider gave at the last sign-in (shown on the account page; never matched on).
    email: text("email").notNull().default(""),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] }), index("user_identities_user_idx").on(t.userId)],
);

export const workspaces = pgTable(
  "workspaces",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    baseUrl: text("base_url").notNull(),
    // Both Trillet credentials are secrets: AES-256-GCM ciphertext, decrypted only by the gateway.
    trilletWorkspaceIdEnc: text("trillet_workspace_id_enc").notNull(),
    apiKeyEnc: text("api_key_enc").notNull(),
    apiKeyLast4: text("api_key_last4").notNull(),
    // The Trillet agent a retry batch uses unless the person starting it picks another.
    defaultAgentId: text("default_agent_id"),
    // The last "Test connection": its verdict (lib/workspaces.ts ConnectionVerdict) and when.
    lastTestVerdict: text("last_test_verdict"),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("workspaces_slug_key").on(t.slug)],
);

export const workspaceAccess = pgTable(
  "workspace_access",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    grantedAt: createdAt(),
    // Extra permissions an admin granted this member in this workspace (e.g. "batches.start").
    grants: jsonb("grants")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
  },
  (t) => [primaryKey({ columns: [t.userId, t.workspaceId] }), index("workspace_access_ws_idx").on(t.workspaceId)],
);

export const invites = pgTable(
  "invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("member"),
    // SHA-256 of the token in the link; the token itself is shown once and never stored.
    tokenHash: text("token_hash").notNull(),
    workspaceIds: jsonb("workspace_ids")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("invites_token_hash_key").on(t.tokenHash), index("invites_email_idx").on(t.email)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    // Kept even when the actor is deleted, and for failed sign-ins of unknown emails.
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    target: text("target"),
    detail: jsonb("detail")
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("audit_events_at_idx").on(t.at)],
);

// Small key-value store for instance-wide state (the one-time setup token's hash).
export const appState = pgTable("app_state", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

// Password-attempt throttling (lib/auth/throttle.ts), shared by instances: attempts of a key,
// when the key forgets them (expire), and until when its next attempt must wait.
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: timestamp("expire", { withTimezone: true }),
  blockedUntil: timestamp("blocked_until", { withTimezone: true }),
});

// ---- Batch data engine -------------------------------------------------------------------

/** The batches a workspace's members opened (Trillet has no list endpoint). */
export const trackedBatches = pgTable(
  "tracked_batches",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    batchId: text("batch_id").notNull(),
    label: text("label").notNull().default(""),
    addedBy: uuid("added_by").references(() => users.id, { onDelete: "set null" }),
    addedAt: createdAt(),
    lastSummary: jsonb("last_summary").$type<{ total: number; waiting: number; active: number; completed: number; failed: number }>(),
    summaryReadAt: timestamp("summary_read_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    // Lineage: a retry batch points at the batch it retried and at the first batch of its line.
    parentBatchId: text("parent_batch_id"),
    rootBatchId: text("root_batch_id"),
    attempt: integer("attempt").notNull().default(1),
    // Set when a cancel from Batchboard succeeded, or Trillet's status said "cancelled".
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.batchId] }), index("tracked_batches_root_idx").on(t.workspaceId, t.rootBatchId)],
);

export const BATCH_START_STATES = ["sending", "created", "failed", "unknown"] as const;
export type BatchStartState = (typeof BATCH_START_STATES)[number];

/**
 * One row per "start a retry batch" request, written before anything is sent to Trillet: its
 * idempotency key makes a double click or a resubmitted form find the first request instead of
 * sending a second, and a lost answer stays visible as "unknown" instead of being retried.
 */
export const batchStarts = pgTable(
  "batch_starts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    idempotencyKey: text("idempotency_key").notNull(),
    parentBatchId: text("parent_batch_id").notNull(),
    // The failure reason retried (its folded key and a label), or null for every failed call.
    reasonKey: text("reason_key"),
    reasonLabel: text("reason_label"),
    agentId: text("agent_id").notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }),
    smartCallbackConfig: jsonb("smart_callback_config").$type<Record<string, unknown>>(),
    rowCount: integer("row_count").notNull(),
    excludedCount: integer("excluded_count").notNull().default(0),
    state: text("state", { enum: BATCH_START_STATES }).notNull().default("sending"),
    childBatchId: text("child_batch_id"),
    error: text("error"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("batch_starts_key").on(t.workspaceId, t.idempotencyKey),
    index("batch_starts_parent_idx").on(t.workspaceId, t.parentBatchId),
  ],
);

/** Calls copied from Trillet. Finished calls never change, so a finished batch is copied once. */
export const mirrorCalls = pgTable(
  "mirror_calls",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    batchId: text("batch_id").notNull(),
    jobId: text("job_id").notNull(),
    // Position in Trillet's listing when first seen: a stable default order.
    rowNo: integer("row_no").notNull(),
    status: text("status").notNull(),
    phoneNumber: text("phone_number").notNull(),
    startTime: timestamp("start_time", { withTimezone: true, precision: 3 }),
    endTime: timestamp("end_time", { withTimezone: true, precision: 3 }),
    durationS: doublePrecision("duration_s"),
    error: text("error"),
    // The error folded for grouping (case, whitespace, trailing punctuation); `error` keeps the wording.
    reasonKey: text("reason_key"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
    // Lower-cased phone, metadata values and error, for substring search (trigram index).
    searchText: text("search_text").notNull(),
    // The sync pass that last read this call: a final pass vouches job for job across slices and
    // restarts (calls not seen by it are not listed by Trillet). Null when written by other paths.
    seenPass: integer("seen_pass"),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.batchId, t.jobId] }),
    index("mirror_calls_row_idx").on(t.workspaceId, t.batchId, t.rowNo),
    index("mirror_calls_status_idx").on(t.workspaceId, t.batchId, t.status, t.rowNo),
    // One index per sort and direction, in the query's exact order (nulls last, then row_no), so a
    // deep page walks an index instead of sorting the whole batch.
    index("mirror_calls_start_asc_idx").on(t.workspaceId, t.batchId, t.startTime.asc().nullsLast(), t.rowNo.asc()),
    index("mirror_calls_start_desc_idx").on(t.workspaceId, t.batchId, t.startTime.desc().nullsLast(), t.rowNo.desc()),
    index("mirror_calls_end_asc_idx").on(t.workspaceId, t.batchId, t.endTime.asc().nullsLast(), t.rowNo.asc()),
    index("mirror_calls_end_desc_idx").on(t.workspaceId, t.batchId, t.endTime.desc().nullsLast(), t.rowNo.desc()),
    index("mirror_calls_duration_asc_idx").on(t.workspaceId, t.batchId, t.durationS.asc().nullsLast(), t.rowNo.asc()),
    index("mirror_calls_duration_desc_idx").on(t.workspaceId, t.batchId, t.durationS.desc().nullsLast(), t.rowNo.desc()),
    index("mirror_calls_phone_idx").on(t.workspaceId, t.batchId, t.phoneNumber, t.rowNo),
    index("mirror_calls_reason_idx").on(t.workspaceId, t.batchId, t.reasonKey),
    index("mirror_calls_search_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
  ],
);

export const SYNC_STATES = ["pending", "running", "done", "failed"] as const;
export type SyncState = (typeof SYNC_STATES)[number];
/** Why a pass started: the first copy, a refresh of a running batch's changing pages, the full
 * check of a finished batch before freezing, or a full re-read after a pass came up short. */
export const PASS_REASONS = ["first", "refresh", "final", "recheck"] as const;
export type PassReason = (typeof PASS_REASONS)[number];

/** One row per mirrored batch: the sync job (claimed with SKIP LOCKED, so one runner per batch). */
export const mirrorSyncs = pgTable(
  "mirror_syncs",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    batchId: text("batch_id").notNull(),
    state: text("state", { enum: SYNC_STATES }).notNull().default("pending"),
    // Set after the final pass of a finished batch: never fetched again.
    frozen: boolean("frozen").notNull().default(false),
    // Cancelled through Batchboard: its stopped calls stay "waiting", so it is finished (and can
    // freeze) as soon as no call is active.
    cancelled: boolean("cancelled").notNull().default(false),
    owner: text("owner"),
    pass: integer("pass").notNull().default(0),
    pagesDone: integer("pages_done").notNull().default(0),
    totalPages: integer("total_pages").notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    nextSyncAt: timestamp("next_sync_at", { withTimezone: true }).notNull().defaultNow(),
    error: text("error"),
    // Upstream summary at the last complete pass, and any disagreement with the mirror.
    upstreamSummary: jsonb("upstream_summary").$type<{
      total: number;
      waiting: number;
      active: number;
      completed: number;
      failed: number;
    }>(),
    mismatch: jsonb("mismatch").$type<Record<string, unknown>>(),
    // Every metadata key of the batch in first-seen order (rows in Trillet's order, keys in each
    // call's own order), kept as pages are copied: jsonb does not keep a row's key order, and a
    // report's columns follow it. Null for batches mirrored before this column existed.
    metadataKeys: jsonb("metadata_keys").$type<string[]>(),
    // The pass under way (or the last one), kept in the row so a pass survives slices, restarts and
    // other runners: why it started, whether it is open, the pages it reads (null: every page),
    // how many (pages_done counts up to it, never back), and Trillet's counts at its first read.
    passReason: text("pass_reason", { enum: PASS_REASONS }),
    inPass: boolean("in_pass").notNull().default(false),
    passPlan: jsonb("pass_plan").$type<number[]>(),
    passPages: integer("pass_pages").notNull().default(0),
    passSummary: jsonb("pass_summary").$type<{ total: number; waiting: number; active: number; completed: number; failed: number }>(),
    passStartedAt: timestamp("pass_started_at", { withTimezone: true }),
    // The moment the copy describes: when the last complete pass started (every page read since).
    copiedAt: timestamp("copied_at", { withTimezone: true }),
    // When a runner last took a slice of this job: the scheduler serves the least recent first.
    servedAt: timestamp("served_at", { withTimezone: true }),
    // Refresh passes since the copy was complete (rotates the rarely changing pages re-read), and
    // full passes in a row that came up short (bounded, then the sync fails).
    refreshCount: integer("refresh_count").notNull().default(0),
    recheckCount: integer("recheck_count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.batchId] }), index("mirror_syncs_due_idx").on(t.state, t.nextSyncAt)],
);

// Shared upstream budget when several instances run on one PostgreSQL database: a sliding log of
// request times per workspace key, a pause Trillet asked for, and a short shared read cache.
export const upstreamRequests = pgTable(
  "upstream_requests",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    budgetKey: text("budget_key").notNull(),
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull(),
    priority: text("priority").notNull(),
  },
  (t) => [index("upstream_requests_key_at_idx").on(t.budgetKey, t.at)],
);

export const upstreamPauses = pgTable("upstream_pauses", {
  budgetKey: text("budget_key").primaryKey(),
  until: timestamp("until", { withTimezone: true, precision: 3 }).notNull(),
});

export const upstreamCache = pgTable(
  "upstream_cache",
  {
    cacheKey: text("cache_key").primaryKey(),
    value: jsonb("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index("upstream_cache_expires_idx").on(t.expiresAt)],
);

// Exports that walk Trillet, one lease row each while they read, so that every instance counts the
// same running exports per user and per workspace. A lease whose instance stopped renewing it
// (crash, restart) has expired and no longer counts.
export const exportSlots = pgTable(
  "export_slots",
  {
    // The export's id (its progress id, x-export-id).
    id: uuid("id").primaryKey(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    // Whose export: the user's id, or the actor's email when there is no user row.
    userKey: text("user_key").notNull(),
    batchId: text("batch_id").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
    // When the walk should end at the rate limit, from its pages left: the Retry-After of a refusal.
    expectedEndAt: timestamp("expected_end_at", { withTimezone: true }),
  },
  (t) => [index("export_slots_workspace_idx").on(t.workspaceId, t.heartbeatAt)],
);

// ---- Notifications -----------------------------------------------------------------------

export const CHANNEL_KINDS = ["slack", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Where a workspace's notifications go. The URL (and a webhook's signing secret) are sealed secrets. */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid("id").primaryKey(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: CHANNEL_KINDS }).notNull(),
    // AES-256-GCM ciphertext bound to the row (lib/security/secret-box.ts); only the host is shown.
    urlEnc: text("url_enc").notNull(),
    urlHost: text("url_host").notNull(),
    signingSecretEnc: text("signing_secret_enc"),
    events: jsonb("events").$type<string[]>().notNull(),
    // batch.failure_rate: failed / finished calls at or above this percentage, once at least this many finished.
    failureRatePercent: integer("failure_rate_percent").notNull().default(20),
    minFinishedCalls: integer("min_finished_calls").notNull().default(50),
    // batch.stalled: no change in the counts for this long while calls wait.
    stallMinutes: integer("stall_minutes").notNull().default(15),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("notification_channels_workspace_idx").on(t.workspaceId)],
);

export const OUTBOX_STATES = ["pending", "sending", "delivered", "failed"] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * One row per event and channel, written in the database before anything is sent (the outbox):
 * the event's stable id makes a second enqueue of the same event a no-op, and the row carries
 * the delivery's state across restarts and instances (claimed with SKIP LOCKED and a lease).
 */
export const notificationOutbox = pgTable(
  "notification_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventId: text("event_id").notNull(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    state: text("state", { enum: OUTBOX_STATES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("notification_outbox_event_channel_key").on(t.eventId, t.channelId),
    index("notification_outbox_due_idx").on(t.state, t.nextAttemptAt),
  ],
);

/** Every attempt to deliver, per channel (the log shown in settings): never the URL or a secret. */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    attempt: integer("attempt").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    // delivered, retrying (another attempt is due), failed (no more attempts), or a "Send test".
    outcome: text("outcome").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("notification_deliveries_channel_idx").on(t.channelId, t.at)],
);

/**
 * What the notifier has observed of a batch, for events that depend on history: whether it was
 * ever seen running (a batch first seen finished is not announced), and since when its counts
 * have not changed (batch.stalled).
 */
export const notificationBatchWatch = pgTable(
  "notification_batch_watch",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    batchId: text("batch_id").notNull(),
    seenRunningAt: timestamp("seen_running_at", { withTimezone: true }),
    progressKey: text("progress_key").notNull(),
    progressAt: timestamp("progress_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.batchId] })],
);
