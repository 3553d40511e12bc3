import { afterAll, beforeAll } from "vitest";

import type { Database } from "@/lib/db";

import { openTestDatabase } from "./db";
import { startTestSandbox, type RunningSandbox } from "./sandbox";

// A test file's database and sandbox, the setup most integration files share. Call
// `setUpDatabaseAndSandbox()` once at the top of the file; `db` and `sb` are then this file's
// (ES module bindings follow the assignment), from its first beforeAll hook to its last afterAll.
// Hooks the file registers after the call run after the opening and before the closing.

/** This file's test database (PGlite, or a scratch PostgreSQL database with TEST_DATABASE_URL). */
export let db: Database;
/** This file's Trillet sandbox, on a free loopback port. */
export let sb: RunningSandbox;
/** The PostgreSQL URL of this file's database, for a second pool (a second instance); undefined on PGlite. */
export let dbUrl: string | undefined;

export function setUpDatabaseAndSandbox(): void {
  let handle: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
    dbUrl = handle.url;
    sb = await startTestSandbox();
  });
  afterAll(async () => {
    await handle?.dispose();
    await sb?.close();
  });
}
