# The complaints system's image: docker-compose.yml runs it as api-1, api-2
# and the worker. Node 20 on Debian bookworm, as in package.json's engines.

# --- build: install everything, compile, then drop the dev dependencies -----
FROM docker.io/library/node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The lock file alone first, so that the dependency layer is reused while only the sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- run: the compiled system and its production dependencies -------------
FROM docker.io/library/node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/complaints
WORKDIR /app
# All of /app: the server finds its root by package.json, loads tools/register-paths.js and dist/.
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /var/lib/complaints && chown node:node /var/lib/complaints
USER node
EXPOSE 3000
# GET /health answers 503 when a critical part is down. Node 20 has fetch; the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm start without its prestart (a build: done above, and no compiler in this image).
CMD ["npm", "start", "--ignore-scripts"]
