# One image for every Playlog service and operator task: `docker run IMAGE <command>` (`playlog help` lists them).
#
# Stages:  deps (production node_modules) -> build (all dependencies; tsc type-checks and compiles the services
#          to JavaScript) -> web (the listeners' web app, type-checked and built by Vite)
#          -> app (runtime: production dependencies + the compiled services + the built web app, non-root, tini)
#          -> dev (Tilt: the TypeScript sources and every dependency, run through tsx, writable for live_update)
#          / production (the default target).
# The runtime holds no TypeScript and no compiler: `node services/cli/main.js`, the same code that was type-checked.

# Debian bookworm, the same release as the CI machines, so the pinned apt versions below are the
# ones CI can check with `apt-cache policy`. Override with --build-arg NODE_IMAGE=... to move on.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# TypeScript is a development dependency and also an optional peer of valibot (bull-board's), which uses it
# for types only: npm keeps such a package under --omit=dev. Nothing loads it at run time.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY services ./services
# The type check is the build's gate (noEmitOnError): an image never carries code that does not compile.
RUN npm run build

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
COPY package.json ./
# The compiled services, where their sources sit in a checkout (services/cli/main.js beside what it imports).
COPY --from=build /app/dist/services ./services
# The API serves it (WEB_DIST_DIR).
COPY --from=web /app/services/web/dist ./services/web/dist
COPY scripts/playlog /usr/local/bin/playlog
# Uploaded streaming histories and personal exports wait in imports/ (IMPORT_DIR, EXPORT_DIR); compose's generated
# token key in keys/. Private to the app user (the services insist on 0700): a volume mounted on either starts
# out with this owner and mode.
RUN install -d -m 0700 -o 1000 -g 1000 /var/lib/playlog/imports /var/lib/playlog/keys
# The official node image's unprivileged user (uid/gid 1000); the Helm chart runs as the same ids.
USER 1000:1000
EXPOSE 4000 4100
# -g: a signal goes to the whole process group, so children of a shell command stop too.
ENTRYPOINT ["/usr/bin/tini", "-g", "--", "/usr/local/bin/playlog"]
CMD ["api"]

# Development image for Tilt: the TypeScript sources and every dependency (tsx included), owned by the app user
# so live_update can sync sources and re-run `npm ci` when the lockfile changes. Never deploy it.
FROM build AS dev
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PLAYLOG_HOME=/app
COPY --from=web /app/services/web/dist ./services/web/dist
COPY scripts/playlog /usr/local/bin/playlog
RUN rm -rf dist && install -d -m 0700 -o 1000 -g 1000 /var/lib/playlog/imports /var/lib/playlog/keys && chown -R 1000:1000 /app
USER 1000:1000
EXPOSE 4000 4100
ENTRYPOINT ["/usr/bin/tini", "-g", "--", "/usr/local/bin/playlog"]
CMD ["api"]

# The default target (last stage): the runtime image.
FROM app AS production
