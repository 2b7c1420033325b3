# syntax=docker/dockerfile:1
# Production image: compiled JavaScript, production dependencies only, non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY shared ./shared
COPY web ./web
# The web client (issue 11) is built here with the dev dependencies (Vite), then served by the server.
RUN npm run build && npm run build:web && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# server/web-client/static.ts looks for the client two levels above itself: dist/web/dist.
COPY --from=build /app/web/dist ./dist/web/dist
COPY package.json ./
# /data/files is a volume in docker-compose.yml: created here so the volume starts owned by `node`.
RUN mkdir -p /data/files && chown -R node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
# Operator commands in this image (compiled; the TypeScript sources are not shipped):
#   docker compose exec server node dist/server/cli/ledger-audit.js
#   docker compose exec server node dist/server/cli/make-admin.js <username>
