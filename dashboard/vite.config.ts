// Vite builds the dashboard into dashboard/dist, which the API serves at / (src/api/server.ts).
// Relative asset URLs, so the page works wherever the API is mounted.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  // `npm run dev:dashboard` against a running devnet's API: requests to /v1 and /metrics go there.
  server: {
    proxy: {
      // changeOrigin: the API accepts only its own Host header.
      "/v1": { target: process.env.JUNCTION_API ?? "http://127.0.0.1:11545", ws: true, changeOrigin: true },
      "/metrics": { target: process.env.JUNCTION_API ?? "http://127.0.0.1:11545", changeOrigin: true },
    },
  },
});
