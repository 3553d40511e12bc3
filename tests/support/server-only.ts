// Vitest runs outside Next's react-server graph, where the real "server-only" throws on import.
export {};
