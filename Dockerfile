# syntax=docker/dockerfile:1
# The operator's image: compiled dist/ and production dependencies on a distroless Node 24 LTS
# base (no shell, no package manager), running as a non-root numeric user. It writes nothing
# to disk, so the chart can mount the root filesystem read-only.
# The Node major here must match the `node` devDependency in package.json.
# Size, measured with `docker image inspect` on the stand-in base images `npm run image` makes
# when no registry is reachable: this file's layers add 45 MB (44.8 MB of production
# node_modules, 0.6 MB of dist/) to the 132 MB stand-in runtime base, 178 MB uncompressed.
# On the real distroless base (not measured: unreachable here) it is that base's size + 45 MB.

ARG NODE_VERSION=24.21.0
# The base images are build arguments so a build without registry access can name local
# stand-ins (`npm run image` does: src/localcluster/image/); the defaults are the real ones.
ARG BUILD_IMAGE=node:${NODE_VERSION}-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Extra CA certificates (PEM text) for npm to trust, e.g. those of a TLS-intercepting proxy
# between the build and the registry. Only this stage sees them and only `npm ci` uses them;
# the file is deleted in the same step, so no layer holds it and the final image has no trace.
# (The classic builder records the value in the history of this stage's intermediate images,
# which stay in the local engine's build cache and are never part of the image.)
ARG BUILD_CA_CERTS=""
# --ignore-scripts: the only install script is the `node` devDependency's, which downloads a
# second Node the image already has; no production dependency needs one.
RUN if [ -n "$BUILD_CA_CERTS" ]; then \
      printf '%s\n' "$BUILD_CA_CERTS" > /tmp/build-ca-certs.pem \
      && export NODE_EXTRA_CA_CERTS=/tmp/build-ca-certs.pem; \
    fi \
 && npm ci --ignore-scripts --no-audit --no-fund \
 && rm -f /tmp/build-ca-certs.pem
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Compile with the image's node (`npm run` would pick the `node` devDependency's shim, whose
# install script was skipped), then keep production dependencies only, without their type
# declarations and source maps (~50 MB of dead weight at run time).
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules \( -name "*.d.ts" -o -name "*.d.mts" -o -name "*.d.cts" -o -name "*.map" \) -delete

FROM ${RUNTIME_IMAGE}
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
# (CMD ["dist/simulator/cli.js", "--host", "0.0.0.0", "--port", "8080"]) for tests and demos,
# and so is the kubectl plugin, compiled with the rest of src/ (docs/plugin.md):
#   docker run --rm --network host --user "$(id -u)" -v "$KUBECONFIG:/kubeconfig:ro" \
#     IMAGE dist/plugin/kubectl-dnscert.js --kubeconfig /kubeconfig status NAME -n NAMESPACE
CMD ["dist/main.js"]
