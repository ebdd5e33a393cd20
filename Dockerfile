# syntax=docker/dockerfile:1
# One image for every Playlog service: `docker run IMAGE api|worker|scheduler|migrate|emulator`.
#
# Stages:  deps (production node_modules) -> build (all dependencies, `tsc --noEmit` gate)
#          -> web (the listeners' web app, type-checked and built by Vite into services/web/dist)
#          -> app (runtime: production deps + type-checked sources + the built web app, non-root, tini)
#          -> dev (Tilt: sources writable for live_update) / production (the default target).
# The services have no JavaScript build: they run their TypeScript through tsx (a production
# dependency), so what was type-checked is exactly what runs. The web app is the one thing built:
# static files the API serves (WEB_DIST_DIR, services/web/dist).

# Debian bookworm, the same release as the CI machines, so the pinned apt versions below are the
# ones CI can check with `apt-cache policy`. Override with --build-arg NODE_IMAGE=... to move on.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY services ./services
COPY scripts/rotate-key.ts ./scripts/rotate-key.ts
COPY scripts/import.ts ./scripts/import.ts
# The type check is the build's gate: an image never carries code that does not compile.
RUN npx tsc --noEmit -p tsconfig.json

# The listeners' web app: type-checked like the rest, then bundled (every asset inside, nothing from a CDN).
FROM build AS web
RUN npx tsc --noEmit -p services/web/tsconfig.json && npm run web:build

FROM ${NODE_IMAGE} AS app
# tini as PID 1: forwards signals to the service (SIGTERM -> graceful shutdown) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PLAYLOG_HOME=/app
WORKDIR /app
# Files stay owned by root: the service (user node) can read but not change its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
# Copied from the build stage, so the runtime cannot be built without passing the type check.
COPY --from=build /app/services ./services
# The API serves it (WEB_DIST_DIR); its sources came with services/ and are not used at run time.
COPY --from=web /app/services/web/dist ./services/web/dist
COPY --from=build /app/scripts/rotate-key.ts ./scripts/rotate-key.ts
COPY --from=build /app/scripts/import.ts ./scripts/import.ts
COPY scripts/docker-entrypoint.sh /usr/local/bin/playlog
# Uploaded streaming-history exports wait here for a worker (IMPORT_DIR). A volume mounted here (one
# shared by the API and the workers) starts out owned by the app user, as the image has it.
RUN mkdir -p /var/lib/playlog/imports && chown 1000:1000 /var/lib/playlog/imports
# The official node image's unprivileged user (uid/gid 1000); the Helm chart runs as the same ids.
USER 1000:1000
EXPOSE 4000 4100
# -g: a signal goes to the whole process group, so children of a shell command stop too.
ENTRYPOINT ["/usr/bin/tini", "-g", "--", "/usr/local/bin/playlog"]
CMD ["api"]

# Development image for Tilt: same contents, but the app user owns /app so live_update can sync
# sources and re-run `npm ci` when the lockfile changes. Never deploy it.
FROM app AS dev
USER 0:0
RUN chown -R 1000:1000 /app
USER 1000:1000

# The default target (last stage): the runtime image.
FROM app AS production
