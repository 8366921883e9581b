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
ENV NODE_ENV=production \
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
