import { randomBytes } from "node:crypto";

import { Client } from "pg";

import { openDatabase, setDatabaseForTests, type DatabaseHandle } from "@/lib/db";

async function adminQuery(url: string, query: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** A new, empty database on a PostgreSQL server, and how to drop it (FORCE: open sessions too). */
export async function createScratchDatabase(server: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await adminQuery(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or, when
 * TEST_DATABASE_URL is set, a new database on that PostgreSQL server (dropped afterwards).
 * The app's services are pointed at it too.
 */
export async function openTestDatabase(): Promise<DatabaseHandle & { url?: string; dispose(): Promise<void> }> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const handle = await openDatabase({});
    setDatabaseForTests(handle);
    return { ...handle, dispose: () => handle.close() };
  }
  const scratch = await createScratchDatabase(server, "batchboard_test");
  const handle = await openDatabase({ url: scratch.url });
  setDatabaseForTests(handle);
  return {
    ...handle,
    url: scratch.url,
    async dispose() {
      await handle.close();
      await scratch.drop();
    },
  };
}

export const usingPostgres = () => Boolean(process.env.TEST_DATABASE_URL);
