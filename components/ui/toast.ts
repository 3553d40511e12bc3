import type { toast as sonnerToast } from "sonner";

// sonner's toast(), fetched with sonner when the first toast is raised rather than with the page
// (see sonner.tsx). Calls keep their order: each waits on the same import.
type Toast = typeof sonnerToast;
type Method = "success" | "error" | "info" | "warning" | "loading" | "message" | "dismiss";

const loadToast = () => import("sonner").then((module) => module.toast);

function later<M extends Method>(method: M) {
  return (...args: Parameters<Toast[M]>): void => {
    void loadToast().then((toast) => (toast[method] as (...a: Parameters<Toast[M]>) => unknown)(...args));
  };
}

export const toast = {
  success: later("success"),
  error: later("error"),
  info: later("info"),
  warning: later("warning"),
  loading: later("loading"),
  message: later("message"),
  dismiss: later("dismiss"),
};
