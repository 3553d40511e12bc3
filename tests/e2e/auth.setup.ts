import { test as setup } from "@playwright/test";

import { signInFromLogin, USERS } from "./fixtures/auth";

// Signs the demo admin in once; the other specs start from this session.
setup("sign in as the demo admin", async ({ page }) => {
  await signInFromLogin(page, USERS.admin);
  await page.context().storageState({ path: "test-results/e2e-admin.json" });
});
