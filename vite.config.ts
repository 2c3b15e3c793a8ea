import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The browser app: built into dist/client, which the Folio server serves.
export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
})
