import "server-only";

import { logger } from "../log";
import { metrics } from "../metrics";

// The operator's view of sign-in refusals: a log line and a counter each. Every place that
// refuses a sign-in calls one of these (the form's pre-check, Auth.js's authorize), so the
// throttle can move without the lines going missing.

/** A sign-in refused by the throttle before any password was checked. */
export function noteSignInThrottled(email: string, ip: string | null): void {
  metrics().signInThrottled.inc();
  logger().warn({ event: "signin.throttled", email, ip }, "Sign-in throttled: too many failures for this account or address");
}

export type SignInFailure = "unknown_email" | "wrong_password" | "disabled" | "invalid_input";

/** A password sign-in refused (the audit log has the same; the counter lets an alert watch it). */
export function noteSignInFailed(email: string | null, ip: string | null, reason: SignInFailure): void {
  metrics().signInFailures.inc({ reason });
  logger().info({ event: "signin.failed", email, ip, reason }, "Sign-in refused");
}
