// Headers every response carries, static files included (the CSP with its nonce is set per
// request in proxy.ts).
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
  // A page this site opens (or that opens it) gets no handle on its window.
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The end-to-end suite builds into its own folder so it never clobbers the demo's build.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // A self-contained server in <distDir>/standalone (server.js, the traced node_modules): what
  // `npm start`, the end-to-end suite, the two-instance check and the container image all run.
  output: "standalone",
  // Files the server reads at run time that no import names, so tracing cannot find them: the
  // migrations (applied on start, read from <cwd>/lib/db/migrations) and PGlite's WASM, data
  // and extension bundles (loaded by path from its dist folder).
  outputFileTracingIncludes: {
    "/**": [
      "./lib/db/migrations/**/*",
      "./node_modules/@electric-sql/pglite/dist/*.{wasm,data,tar.gz}",
      "./node_modules/@electric-sql/pglite/dist/contrib/pg_trgm.*",
    ],
  },
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded from node_modules at run time: PGlite's WASM and the pg driver do not bundle, and
  // drizzle-orm stays one copy beside them. prom-client: one copy per process, whichever bundle
  // counts (pino is external by default).
  serverExternalPackages: ["@electric-sql/pglite", "pg", "drizzle-orm", "prom-client", "pino"],
  experimental: { authInterrupts: true },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
