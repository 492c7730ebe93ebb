# scimbridge container image: Node.js 22 LTS, runs as the unprivileged `node` user.
#   docker build -t scimbridge .
#   docker run -p 8080:8080 -e SCIM_TOKEN=… -v scimbridge-data:/var/lib/scimbridge scimbridge
# Your own configuration: mount it read-only over the default,
#   -v ./my-config:/etc/scimbridge:ro
# (a gateway.yaml plus the connector files it lists). Secrets come from env or /run/secrets via ${file:…}.
# For reproducible builds pin the base image by digest: node:22-slim@sha256:<digest>.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY connectors ./connectors
RUN npm run build && npm prune --omit=dev

FROM node:22-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/scimbridge \
    SCIMBRIDGE_CONFIG=/etc/scimbridge/gateway.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config /etc/scimbridge
RUN mkdir -p /var/lib/scimbridge && chown node:node /var/lib/scimbridge
USER node
VOLUME ["/var/lib/scimbridge"]
EXPOSE 8080
# Liveness only: a downstream outage must not make the container unhealthy (requests get 503 + Retry-After instead).
# With server.tls configured, probe https instead.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The gateway drains on SIGTERM (in-flight requests finish, the store is flushed) within server.drainTimeoutMs.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/cli.js", "serve"]
