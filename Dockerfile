# syntax=docker/dockerfile:1
# The operator's image: compiled dist/ and production dependencies on a distroless Node 24
# LTS base (no shell, no package manager), running as a non-root numeric user.
# The Node major here must match the `node` devDependency in package.json.

ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script is the `node` devDependency's, which downloads a
# second Node the image already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# 65532 is distroless' "nonroot"; numeric so runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
# The base image's entrypoint is node itself.
CMD ["dist/main.js"]
