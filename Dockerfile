# syntax=docker/dockerfile:1
# One image for every Heartbeats service: SERVICES (see k8s/) picks what a container runs.
#   docker build -t heartbeats:dev .
# Without a registry (podman, base images made by bin/image/make-base.sh), see docs/deploy.md:
#   podman build --format docker --build-arg NODE_BUILD_IMAGE=heartbeats-base-build \
#     --build-arg NODE_RUNTIME_IMAGE=heartbeats-base-runtime -t heartbeats:dev .
# Node 24 runs the server's .ts files as they are (type stripping): only the dashboard is built.
# docs/deploy.md explains the stages; test/deploy/manifests.test.ts checks this file.

ARG NODE_BUILD_IMAGE=node:24-bookworm
ARG NODE_RUNTIME_IMAGE=node:24-bookworm-slim

# 1. The dashboard (an npm workspace), then `npm run build`. The build first generates the
#    dashboard's API types from the server's OpenAPI document (npm run api-types: the server's
#    sources and dependencies, and openapi-typescript), so everything is installed here.
FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /app
ENV NG_CLI_ANALYTICS=false
COPY package.json package-lock.json .npmrc ./
COPY dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY bin ./bin
COPY core ./core
COPY services ./services
COPY gateway ./gateway
COPY plugins ./plugins
COPY agent ./agent
COPY dashboard/ dashboard/
RUN npm run build && test -f dashboard/dist/browser/index.html

# 2. The server's production dependencies: no devDependencies, and --workspaces=false keeps
#    the dashboard workspace (Angular, rxjs) out. Nothing is compiled: SQLite is node:sqlite, and
#    package.json's allowScripts (npm 11.19 and later) denies the optional native builds.
FROM ${NODE_BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY dashboard/package.json dashboard/
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund \
 && npm cache clean --force

# 3. The runtime: the same Debian (bookworm) as the stages above, so native modules load.
#    Everything is owned by root and read-only for the process, which runs as uid 1000 (node),
#    except /app/data: the default SQLite database lives there, in a volume. An empty named
#    volume takes the image directory's owner, so the process can write to it.
FROM ${NODE_RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    DASHBOARD_BUILD=off \
    DATABASE_URL=sqlite:/app/data/heartbeats.sqlite \
    PORT=5827 \
    OPS_PORT=9100
RUN mkdir -p /app/data && chown 1000:1000 /app/data && chmod 0750 /app/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json moleculer.config.ts ./
COPY bin ./bin
COPY core ./core
COPY services ./services
COPY gateway ./gateway
COPY plugins ./plugins
COPY agent ./agent
COPY --from=build /app/dashboard/dist ./dashboard/dist
USER 1000:1000
VOLUME /app/data
EXPOSE 5827 9100
# For docker run and compose; Kubernetes uses the probes in k8s/ instead.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_PORT || 9100) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/start.ts"]
