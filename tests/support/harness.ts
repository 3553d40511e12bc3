import { afterAll, beforeAll } from "vitest";

import type { Database } from "@/lib/db";

import { openTestDatabase } from "./db";
import { startTestSandbox, type RunningSandbox } from "./sandbox";

// The setup most integration files share: one database for the file (`setUpDatabase()`), and a
// Trillet sandbox beside it (`setUpDatabaseAndSandbox()`). Call one of them once at the top of the
// file; `db`, `dbUrl` and `sb` are then this file's (ES module bindings follow the assignment),
// from its first beforeAll hook to its last afterAll. Hooks the file registers after the call run
// after the opening and before the closing.

/** This file's test database (PGlite, or a scratch PostgreSQL database with TEST_DATABASE_URL). */
export let db: Database;
/** The PostgreSQL URL of this file's database, for a second pool (a second instance); undefined on PGlite. */
export let dbUrl: string | undefined;
/** This file's Trillet sandbox, on a free loopback port (setUpDatabaseAndSandbox only). */
export let sb: RunningSandbox;

export function setUpDatabase(): void {
  let handle: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
    dbUrl = handle.url;
  });
  afterAll(async () => {
    await handle?.dispose();
  });
}

export function setUpDatabaseAndSandbox(): void {
  setUpDatabase();
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  afterAll(async () => {
    await sb?.close();
  });
}
