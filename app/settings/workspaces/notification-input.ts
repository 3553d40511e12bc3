import { z } from "zod";

import { CHANNEL_KINDS } from "@/lib/db/schema";
import { checkChannelUrl } from "@/lib/notifications/channel-url";
import { CHANNEL_DEFAULTS, NOTIFICATION_EVENTS } from "@/lib/notifications/event-types";

// The notification channel form's fields. The URL is a secret: no message echoes it.

const GONE = "That workspace no longer exists. Reload the page.";

const whole = (label: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) =>
      v === null || v === undefined || (typeof v === "string" && v.trim() === "") ? fallback : typeof v === "string" ? Number(v.trim()) : v,
    z
      .number({ error: `Enter the ${label} as a number.` })
      .int({ error: `Enter the ${label} as a whole number.` })
      .min(min, { error: `The ${label} is at least ${min}.` })
      .max(max, { error: `The ${label} is at most ${max.toLocaleString("en-US")}.` }),
  );

export function channelInput(allowPrivate: boolean) {
  return z
    .object({
      workspaceId: z.uuid({ error: GONE }),
      kind: z.enum(CHANNEL_KINDS, { error: "Choose Slack or a signed webhook." }),
      url: z.string({ error: "Enter the webhook URL." }).max(2_000, { error: "That URL is too long." }),
      events: z
        .array(z.enum(NOTIFICATION_EVENTS, { error: "Choose events from the list." }))
        .min(1, { error: "Choose at least one event." })
        .transform((events) => NOTIFICATION_EVENTS.filter((e) => events.includes(e))),
      failureRatePercent: whole("failure-rate threshold", 1, 100, CHANNEL_DEFAULTS.failureRatePercent),
      minFinishedCalls: whole("minimum of finished calls", 1, 1_000_000, CHANNEL_DEFAULTS.minFinishedCalls),
      stallMinutes: whole("stall time", 1, 1_440, CHANNEL_DEFAULTS.stallMinutes),
    })
    .transform((input, ctx) => {
      const check = checkChannelUrl(input.url, { allowPrivate });
      if (!check.ok) {
        ctx.addIssue({ code: "custom", path: ["url"], message: check.error });
        return z.NEVER;
      }
      return { ...input, url: check.url.toString() };
    });
}

export function channelFields(formData: FormData) {
  return {
    workspaceId: formData.get("workspaceId"),
    kind: formData.get("kind"),
    url: formData.get("url"),
    events: formData.getAll("events"),
    failureRatePercent: formData.get("failureRatePercent"),
    minFinishedCalls: formData.get("minFinishedCalls"),
    stallMinutes: formData.get("stallMinutes"),
  };
}

export const channelRef = z.object({
  workspaceId: z.uuid({ error: GONE }),
  channelId: z.uuid({ error: "That channel no longer exists. Reload the page." }),
});

export interface AddedChannel {
  host: string;
  /** A webhook's signing secret, shown this once. */
  signingSecret: string | null;
}
