# syntax=docker/dockerfile:1
# Multi-stage build for the Bazaary app (docker-compose.yml `app`).

# deps: install exactly the lockfile. Dev dependencies stay: `npm start` runs TypeScript through
# tsx (a devDependency), and the storefront build needs vite.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --include=dev

# build: the storefront bundle, when the project defines the script.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build:storefront --if-present

# runtime: non-root, production mode, listens on 3000 (PORT in docker-compose.yml).
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/.bazaary
WORKDIR /app
# The build stage holds the deps stage's node_modules plus the sources and storefront bundle.
COPY --from=build --chown=node:node /app ./
RUN mkdir -p /app/.bazaary && chown node:node /app/.bazaary
USER node
EXPOSE 3000
CMD ["npm", "start"]
