# Build: type-check-free bundle of src/ into one file (see build.mjs).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# LICENSE: build.mjs puts it at the head of dist/THIRD_PARTY_NOTICES.txt.
COPY build.mjs tsconfig.json LICENSE ./
COPY src ./src
RUN npm run build && find dist -name "*.map" -delete

# Run: Node and the bundle, nothing else. package.json is read for the server's name and version.
FROM node:24-slim
# The heap sized for a server, not from the machine: on a large host Node 24 gives V8's young
# generation 64 MB semi-spaces (Node 20: 16 MB), and without a cap the old space grows to several
# times what is live between collections. 32 calls at once on Node 24, peak RSS / CPU per call:
# 365 MB / 0.58 ms by default, 188 MB / 0.74 ms with these (docs/PERFORMANCE.md). The server's own
# limits follow the heap (MAX_CALLS_IN_FLIGHT, MAX_LITELLM_RESPONSE_BYTES_HELD).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=16" \
    HOST=0.0.0.0 \
    LOG_FORMAT=json \
    PORT=3100
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/ ./dist/
COPY LICENSE ./LICENSE
USER node
EXPOSE 3100
# No curl in the slim image: Node's own fetch checks /health.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3100)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
