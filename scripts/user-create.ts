// `npm run user:create -- --email you@example.com [--name "Your Name"] [--role admin|member]`
// Creates a user from a terminal (the first admin, or a break-glass account). The password is read
// from the terminal without echo, or from BATCHBOARD_PASSWORD for scripted use.
// With embedded PGlite, stop the app first: only one process may open its data folder.
import "./lib/load-env"; // first: .env before lib/env.ts reads the settings

import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { recordAudit } from "../lib/audit";
import { createUser, findUserByEmail } from "../lib/auth/users";
import { openDatabase } from "../lib/db";
import { env } from "../lib/env";
import { passwordProblem } from "../lib/security/password";

function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) =>
      write.call(rl, s.startsWith(question) ? s : "");
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write("\n");
      resolve(answer);
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: "string" }, name: { type: "string", default: "" }, role: { type: "string", default: "admin" } },
  });
  if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) throw new Error("Give --email you@example.com");
  if (values.role !== "admin" && values.role !== "member") throw new Error("--role is admin or member");
  const password = process.env.BATCHBOARD_PASSWORD ?? (await askHidden("Password: "));
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DIR });
  try {
    if (await findUserByEmail(handle.db, values.email)) throw new Error("A user with this email already exists.");
    const user = await handle.db.transaction(async (tx) => {
      const created = await createUser(tx, { email: values.email!, name: values.name, password, role: values.role as "admin" | "member" });
      await recordAudit(tx, { actor: null, action: "user.created", target: created.email, detail: { role: created.role, via: "cli" } });
      return created;
    });
    console.log(`Created ${user.role} ${user.email}.`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
