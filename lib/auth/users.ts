import "server-only";

import { and, asc, count, eq, isNull } from "drizzle-orm";

import type { Database } from "../db";
import { sessions, users, workspaceAccess, type Role } from "../db/schema";
import { hashPassword } from "../security/password";

/** What the app may know about a user: never the password hash. */
export interface AppUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
}

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabledAt: users.disabledAt,
};

type PublicRow = { id: string; email: string; name: string; role: Role; disabledAt: Date | null };
const toAppUser = (u: PublicRow): AppUser => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null });

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function countUsers(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export async function findUserById(db: Database, id: string): Promise<AppUser | null> {
  const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id));
  return row ? toAppUser(row) : null;
}

export async function findUserByEmail(db: Database, email: string): Promise<AppUser | null> {
  const [row] = await db
    .select(publicColumns)
    .from(users)
    .where(eq(users.email, normaliseEmail(email)));
  return row ? toAppUser(row) : null;
}

/** For sign-in only: the hash never leaves lib/auth. */
export async function findCredentials(db: Database, email: string) {
  const [row] = await db
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, normaliseEmail(email)));
  return row ? { user: toAppUser(row), passwordHash: row.passwordHash } : null;
}

/** Whether the user can sign in with a password (OIDC-only users have none). */
export async function userHasPassword(db: Database, userId: string): Promise<boolean> {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return Boolean(row?.hash);
}

export async function createUser(db: Database, input: { email: string; name?: string; password?: string; role: Role }): Promise<AppUser> {
  const [row] = await db
    .insert(users)
    .values({
      email: normaliseEmail(input.email),
      name: input.name?.trim() ?? "",
      role: input.role,
      passwordHash: input.password ? await hashPassword(input.password) : null,
    })
    .returning(publicColumns);
  return toAppUser(row!);
}

export async function listUsers(db: Database) {
  const rows = await db
    .select({ ...publicColumns, createdAt: users.createdAt })
    .from(users)
    .orderBy(asc(users.email));
  const grants = await db.select().from(workspaceAccess);
  return rows.map((u) => ({
    ...toAppUser(u),
    createdAt: u.createdAt,
    workspaceIds: grants.filter((g) => g.userId === u.id).map((g) => g.workspaceId),
    /** Per workspace, what an admin granted on top of the role (e.g. batches.start). */
    grants: Object.fromEntries(grants.filter((g) => g.userId === u.id).map((g) => [g.workspaceId, g.grants])) as Record<string, string[]>,
  }));
}

export class LastAdminError extends Error {
  override name = "LastAdminError";
  constructor() {
    super("The team must keep at least one active admin.");
  }
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Runs a change to users and refuses it if no active admin would remain. The active admins'
 * rows are locked first, so two admins demoting each other at once cannot both succeed.
 */
async function keepingAnAdmin(db: Database, change: (tx: Tx) => Promise<void>) {
  await db.transaction(async (tx) => {
    await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, "admin"), isNull(users.disabledAt)))
      .for("update");
    await change(tx);
    const [left] = await tx
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, "admin"), isNull(users.disabledAt)));
    if ((left?.n ?? 0) === 0) throw new LastAdminError();
  });
}

export async function setRole(db: Database, userId: string, role: Role) {
  await keepingAnAdmin(db, async (tx) => {
    await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
  });
}

/** Disabling also ends every session of the user: their next request is refused. */
export async function setDisabled(db: Database, userId: string, disabled: boolean) {
  await keepingAnAdmin(db, async (tx) => {
    await tx
      .update(users)
      .set({ disabledAt: disabled ? new Date() : null, updatedAt: new Date() })
      .where(eq(users.id, userId));
    if (disabled) await tx.delete(sessions).where(eq(sessions.userId, userId));
  });
}

export async function setPassword(db: Database, userId: string, password: string) {
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(password), updatedAt: new Date() })
    .where(eq(users.id, userId));
}

export async function countActiveAdmins(db: Database): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt)));
  return row?.n ?? 0;
}
