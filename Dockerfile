# syntax=docker/dockerfile:1
# The operator's image: compiled dist/ and production dependencies on a distroless Node 24 LTS
# base (no shell, no package manager), running as a non-root numeric user. It writes nothing
# to disk, so the chart can mount the root filesystem read-only.
# The Node major here must match the `node` devDependency in package.json.
# Expected size: 55 MB of production node_modules and 1 MB of dist/ (measured by running these
# build steps outside Docker) on the ~150 MB distroless base: about 210 MB uncompressed.

ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script is the `node` devDependency's, which downloads a
# second Node the image already has; no production dependency needs one.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Compile with the image's node (`npm run` would pick the `node` devDependency's shim, whose
# install script was skipped), then keep production dependencies only, without their type
# declarations and source maps (~50 MB of dead weight at run time).
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules \( -name "*.d.ts" -o -name "*.d.mts" -o -name "*.d.cts" -o -name "*.map" \) -delete

FROM gcr.io/distroless/nodejs24-debian12:nonroot
LABEL org.opencontainers.image.title="dnsimple-cert-operator" \
      org.opencontainers.image.description="Issues Let's Encrypt certificates through DNSimple into Kubernetes TLS Secrets" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# 65532 is distroless' "nonroot"; numeric, so runAsNonRoot can check it without /etc/passwd.
USER 65532:65532
# Metrics and health (the chart's defaults); the webhook receiver gets its own port when enabled.
EXPOSE 8080 8081
# The base image's entrypoint is node itself; the simulator is in the image too
# (CMD ["dist/simulator/cli.js", "--host", "0.0.0.0", "--port", "8080"]) for tests and demos.
CMD ["dist/main.js"]
