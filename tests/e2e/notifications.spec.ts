import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test } from "./fixtures/test";

// An admin adds a signed webhook pointing at a receiver this test starts on 127.0.0.1 (the e2e
// server runs with ALLOW_PRIVATE_URLS=true), copies the secret shown once, sends a test, sees it in
// the delivery log, and the receiver checks the signature with that secret. The URL's path (its
// secret part) never reaches the browser again.

const SECRET_PATH = "/hooks/e2e/tok_5b4a3c2d1e";

test("add a webhook channel, send a test, see it in the delivery log, remove it", async ({ page }) => {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bodies: string[] = [];
  page.on(
    "response",
    (r) =>
      void r.text().then(
        (t) => bodies.push(t),
        () => {},
      ),
  );
  try {
    await page.goto("/settings/workspaces");
    await page.getByRole("link", { name: /Notifications of Sandbox/i }).click();
    await expect(page.getByRole("heading", { name: /Notifications for/ })).toBeVisible();

    await page.getByRole("button", { name: "Add channel" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Signed JSON webhook").check();
    // A bad URL is answered in the form, without saving anything.
    await dialog.getByLabel("Webhook URL").fill("ftp://example.com/x");
    await dialog.getByRole("button", { name: "Add channel" }).click();
    await expect(dialog.getByRole("alert")).toHaveText(/https/);
    await dialog.getByLabel("Webhook URL").fill(`http://${host}${SECRET_PATH}`);
    await dialog.getByLabel("Batch stalled").uncheck();
    await dialog.getByLabel("Failure rate (%)").fill("30");
    await dialog.getByRole("button", { name: "Add channel" }).click();

    const secretDialog = page.getByTestId("signing-secret-dialog");
    await expect(secretDialog).toBeVisible();
    const secret = await secretDialog.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await secretDialog.getByRole("button", { name: "Done" }).click();

    const channel = page.getByTestId("notification-channel");
    await expect(channel).toHaveCount(1);
    await expect(channel).toContainText(host);
    await expect(channel).toContainText("Failure rate: at 30%");
    await expect(channel).not.toContainText("Batch stalled");

    await channel.getByRole("button", { name: `Send test to ${host}` }).click();
    await expect(page.getByText(`Test delivered to ${host} (HTTP 204).`)).toBeVisible();
    const row = channel.getByTestId("delivery-log-row");
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Test");
    await expect(row).toContainText("Delivered");
    await expect(row).toContainText("HTTP 204");

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.path).toBe(SECRET_PATH);
    const [t, v1] = String(request!.headers["batchboard-signature"])
      .split(",")
      .map((p) => p.split("=")[1]);
    expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${request!.body}`).digest("hex"));
    expect(request!.headers["batchboard-event-id"]).toMatch(/^test:/);

    // Reloaded, the page shows the host and log, never the URL's path or the secret.
    await page.reload();
    await expect(page.getByTestId("delivery-log-row")).toHaveCount(1);
    const html = await page.content();
    expect(html).not.toContain("tok_5b4a3c2d1e");
    expect(html).not.toContain(secret);

    await page.getByRole("button", { name: `Remove channel to ${host}` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove channel" }).click();
    await expect(page.getByTestId("no-channels")).toBeVisible();

    // The audit log has the three actions, with the host only.
    await page.goto("/settings/audit");
    for (const action of ["notification.channel_added", "notification.test_sent", "notification.channel_removed"]) {
      await expect(page.getByText(action).first()).toBeVisible();
    }
    expect(bodies.some((b) => b.includes("tok_5b4a3c2d1e"))).toBe(false);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
