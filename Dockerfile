# syntax=docker/dockerfile:1
# Batchboard's production image: the standalone server that CI starts (two instances on
# PostgreSQL, tests/integration/db-production.test.ts), run with the same command.
#   docker build -t batchboard .
# No secret is a build argument or baked into a layer: AUTH_SECRET, ENCRYPTION_KEY, DATABASE_URL,
# PUBLIC_URL and the rest are runtime settings (compose.yaml, docs/deployment.md).

# The Node release CI runs (node -v); pin the digest too where your registry access allows.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- deps: exactly the lockfile's packages -------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: next build into .next/standalone ---------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

# --- tools: the one-shot commands (npm run db:migrate, npm run user:create, npm run keys:rotate)
# with the full checkout; compose.yaml's `migrate` service runs this stage.
FROM build AS tools
USER node
CMD ["npm", "run", "db:migrate"]

# --- runtime: the standalone server only -------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    PGLITE_DIR=/data/pglite \
    EXPORT_CACHE_DIR=/data/export-cache
# The server's folder as `npm start` prepares it: server.js with its traced node_modules, the
# migrations and PGlite's files (next.config.mjs), the client assets and public/.
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/public ./public
RUN mkdir -p /data && chown node:node /data
# The image's own non-root user (uid 1000).
USER node
VOLUME ["/data"]
EXPOSE 3000
# Readiness (database, migrations, mirror worker; 503 while shutting down) with Node itself:
# the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 (exec form, no shell, no npm): SIGTERM reaches the server, which drains and exits
# within SHUTDOWN_TIMEOUT_MS. The same command as STANDALONE_COMMAND in scripts/lib/standalone.mjs.
CMD ["node", "server.js"]
