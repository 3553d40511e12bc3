import "server-only";

import Papa from "papaparse";

import type { CallRow } from "./data";

// POST /v1/api/batch-calls: the multipart form that starts a batch (trillet-api.md), read the way
// a careful server would. Every refusal is a 400 with Trillet's flat error shape, naming the field
// or the row, so a client can show it as it came.

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const PHONE = /^\+[1-9]\d{6,14}$/;

export interface BatchUpload {
  rows: CallRow[];
  agentId: string;
  /** Epoch ms, when the form asked for a later start. */
  scheduledAt?: number;
  /** Kept as sent (a JSON object); the sandbox records it but does not act on it. */
  smartCallbackConfig?: Record<string, unknown>;
}

export type UploadResult = { upload: BatchUpload } | { status: 400 | 413; error: string; message: string };

const refuse = (message: string): UploadResult => ({ status: 400, error: "Invalid request", message });

/** ISO-8601 with a date and a time, or epoch milliseconds as digits. */
function parseScheduledAt(raw: string): number | undefined {
  const text = raw.trim();
  if (/^\d{13}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

function parseCallbackConfig(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The rows of the CSV: `phone_number` is required, every other column becomes metadata as a string. */
export function parseBatchCsv(text: string): { rows: CallRow[] } | { message: string } {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { header: false, skipEmptyLines: "greedy" });
  const [header, ...records] = parsed.data;
  if (!header || header.length === 0) return { message: "The file is empty: it needs a header row with a phone_number column." };
  const names = header.map((name) => name.trim());
  const blank = names.findIndex((name) => name === "");
  if (blank >= 0) return { message: `Column ${blank + 1} of the header has no name.` };
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return { message: `The header names the column "${name}" twice.` };
    seen.add(name);
  }
  const phoneAt = names.indexOf("phone_number");
  if (phoneAt < 0) return { message: "The file has no phone_number column." };
  if (records.length === 0) return { message: "The file has a header but no rows." };
  const rows: CallRow[] = [];
  for (const [i, record] of records.entries()) {
    const line = i + 2;
    if (record.length !== names.length) {
      return { message: `Row ${line} has ${record.length} fields; the header has ${names.length}.` };
    }
    const phone = (record[phoneAt] ?? "").trim();
    if (!PHONE.test(phone)) return { message: `Row ${line}: phone_number must be in E.164 format (+ and 7 to 15 digits).` };
    const metadata: Record<string, string> = {};
    // Values are kept exactly as uploaded (no trimming): they are what the agent will read.
    names.forEach((name, column) => {
      if (column !== phoneAt) metadata[name] = record[column] ?? "";
    });
    rows.push({ phone, metadata });
  }
  return { rows };
}

export async function readBatchUpload(request: Request): Promise<UploadResult> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    return refuse('Send multipart/form-data with a CSV file in the field "file" and an agentId.');
  }
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_UPLOAD_BYTES + 64 * 1024) return { status: 413, error: "File too large", message: "The file is larger than 20 MB." };
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return refuse("The multipart body could not be read.");
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) return refuse('The field "file" (a CSV file) is required.');
  if (file.size > MAX_UPLOAD_BYTES) return { status: 413, error: "File too large", message: "The file is larger than 20 MB." };
  const agentId = form.get("agentId");
  if (typeof agentId !== "string" || agentId.trim() === "") return refuse('The field "agentId" is required.');

  const upload: BatchUpload = { rows: [], agentId: agentId.trim() };
  const scheduled = form.get("scheduledAt");
  if (typeof scheduled === "string" && scheduled.trim() !== "") {
    const at = parseScheduledAt(scheduled);
    if (at === undefined) return refuse('"scheduledAt" must be an ISO-8601 date and time or epoch milliseconds.');
    upload.scheduledAt = at;
  }
  const callback = form.get("smartCallbackConfig");
  if (typeof callback === "string" && callback.trim() !== "") {
    const config = parseCallbackConfig(callback);
    if (!config) return refuse('"smartCallbackConfig" must be a JSON object.');
    upload.smartCallbackConfig = config;
  }

  const csv = parseBatchCsv(await file.text());
  if ("message" in csv) return refuse(csv.message);
  upload.rows = csv.rows;
  return { upload };
}
