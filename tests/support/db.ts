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
  const name = `batchboard_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  setDatabaseForTests(handle);
  return {
    ...handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export const usingPostgres = () => Boolean(process.env.TEST_DATABASE_URL);
