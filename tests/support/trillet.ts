import { expect } from "vitest";

import { TrilletClient, type TrilletClientOptions } from "@/lib/trillet/client";

import { TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "./sandbox";

// A Trillet client against the test sandbox, and the check that an error carries no credential:
// shared by the client's read and write tests.

/** Short timeouts and waits, so a test of a failure ends quickly. */
export const CLIENT_TEST_OPTIONS: TrilletClientOptions = { timeoutMs: 500, maxRetries: 3, maxRateLimitWaitMs: 3_000 };

export function testClient(
  sb: RunningSandbox,
  over: Partial<TrilletClientOptions> = {},
  target: { baseUrl?: string; apiKey?: string; workspaceId?: string } = {},
): TrilletClient {
  return new TrilletClient(
    { baseUrl: target.baseUrl ?? sb.url, apiKey: target.apiKey ?? TEST_KEY, workspaceId: target.workspaceId ?? TEST_WORKSPACE },
    { ...CLIENT_TEST_OPTIONS, ...over },
  );
}

/** Neither credential appears in the error's message, stack or JSON. */
export function expectNoSecrets(error: unknown) {
  const text = `${String(error)} ${(error as Error).stack ?? ""} ${JSON.stringify(error)}`;
  expect(text).not.toContain(TEST_KEY);
  expect(text).not.toContain(TEST_WORKSPACE);
}
