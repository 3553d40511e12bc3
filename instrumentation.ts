// Runs once when a server instance starts: a bad setting stops it here, with a message naming
// the variable, instead of surfacing later as a broken page.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    await import("./lib/env");
  }
}
