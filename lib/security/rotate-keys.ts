import "server-only";

import { eq } from "drizzle-orm";

import type { Database } from "../db";
import { workspaces } from "../db/schema";
import { apiKeyAad, workspaceIdAad } from "../trillet/registry";
import { openWith, sealWith } from "./secret-box";

// ENCRYPTION_KEY rotation (`npm run keys:rotate`, docs/operations.md): every stored Trillet
// credential is opened with the old key and sealed again with the new one, in one transaction, so
// a failure leaves every row as it was. A row already sealed with the new key is left alone, so a
// rotation that was interrupted, or is run twice, is safe to run again.

export interface RotationResult {
  /** Workspaces whose credentials were re-sealed with the new key. */
  resealed: number;
  /** Workspaces already sealed with the new key. */
  alreadyNew: number;
}

export class RotationError extends Error {
  override name = "RotationError";
}

export async function rotateSealedSecrets(db: Database, oldKey: Buffer, newKey: Buffer): Promise<RotationResult> {
  if (oldKey.equals(newKey)) throw new RotationError("The old and the new key are the same: nothing to rotate.");
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: workspaces.id,
        slug: workspaces.slug,
        apiKeyEnc: workspaces.apiKeyEnc,
        trilletWorkspaceIdEnc: workspaces.trilletWorkspaceIdEnc,
      })
      .from(workspaces)
      .for("update");
    const result: RotationResult = { resealed: 0, alreadyNew: 0 };
    for (const row of rows) {
      const fields = [
        { sealed: row.apiKeyEnc, aad: apiKeyAad(row.id) },
        { sealed: row.trilletWorkspaceIdEnc, aad: workspaceIdAad(row.id) },
      ];
      if (fields.every((f) => opens(newKey, f.sealed, f.aad))) {
        result.alreadyNew++;
        continue;
      }
      const [apiKeyEnc, trilletWorkspaceIdEnc] = fields.map((f) => {
        if (opens(newKey, f.sealed, f.aad)) return f.sealed;
        let plain: string;
        try {
          plain = openWith(oldKey, f.sealed, f.aad);
        } catch {
          // Names the workspace, never a key or a credential.
          throw new RotationError(
            `Workspace "${row.slug}": its stored credentials open with neither the old nor the new key. Nothing was changed.`,
          );
        }
        return sealWith(newKey, plain, f.aad);
      }) as [string, string];
      await tx.update(workspaces).set({ apiKeyEnc, trilletWorkspaceIdEnc }).where(eq(workspaces.id, row.id));
      result.resealed++;
    }
    return result;
  });
}

function opens(secretKey: Buffer, sealed: string, aad: string): boolean {
  try {
    openWith(secretKey, sealed, aad);
    return true;
  } catch {
    return false;
  }
}
