# One Folio node. Configuration comes from the environment (see README).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY server ./server
COPY shared ./shared
COPY client ./client
ENV PORT=1234 DATA_DIR=/data
EXPOSE 1234
CMD ["node", "--import", "tsx", "server/main.ts"]
