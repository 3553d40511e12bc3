import "server-only";

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

import { env } from "../env";

// AES-256-GCM for secrets at rest (Trillet credentials). The associated data binds a ciphertext
// to its row and column, so a ciphertext copied into another row does not decrypt.

const VERSION = "v1";

function key(): Buffer {
  if (env.ENCRYPTION_KEY) return Buffer.from(env.ENCRYPTION_KEY, "base64");
  // Development only (production requires ENCRYPTION_KEY, see lib/env.ts).
  return createHash("sha256").update("batchboard-development-only-key").digest();
}

export function seal(plaintext: string, associatedData: string): string {
  return sealWith(key(), plaintext, associatedData);
}

export function open(sealed: string, associatedData: string): string {
  return openWith(key(), sealed, associatedData);
}

/** seal() with a given 32-byte key (key rotation: lib/security/rotate-keys.ts). */
export function sealWith(secretKey: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", secretKey, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(":");
}

/** open() with a given 32-byte key; throws when the key is not the one that sealed it. */
export function openWith(secretKey: Buffer, sealed: string, associatedData: string): string {
  const [version, iv, tag, body] = sealed.split(":");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("Unreadable sealed secret.");
  // authTagLength pins the tag to 16 bytes: otherwise a truncated (4-byte) tag is accepted, and a
  // forgery needs only 2^32 tries.
  const decipher = createDecipheriv("aes-256-gcm", secretKey, Buffer.from(iv, "base64"), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
}
