// Runs once when a server instance starts: settings are validated (a bad one stops the server
// with a message naming the variable), the database is migrated, and first-run state is set up.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First: requests must carry their TCP peer's address (lib/http/client-address.ts).
    const { installPeerAddressHeader } = await import("./lib/http/client-address");
    installPeerAddressHeader();
    // Every request from here on gets a request id, its log context and its latency measured.
    const { observeHttpServer } = await import("./lib/observe-http");
    observeHttpServer();
    const { startUp } = await import("./lib/startup");
    await startUp();
  }
}
