// Shared by the workspace form (client) and its server-side parser.
export const DEFAULT_BASE_URL = "https://api.trillet.ai";
