// The notification events and their names in settings (shared by the server and the settings form).

export const NOTIFICATION_EVENTS = ["batch.finished", "batch.failure_rate", "batch.stalled", "batch.retry_started"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const EVENT_LABELS: Record<NotificationEvent, string> = {
  "batch.finished": "Batch finished",
  "batch.failure_rate": "Failure rate above threshold",
  "batch.stalled": "Batch stalled",
  "batch.retry_started": "Retry batch started",
};

export const CHANNEL_DEFAULTS = { failureRatePercent: 20, minFinishedCalls: 50, stallMinutes: 15 } as const;
