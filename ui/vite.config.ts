/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// No @vitejs/plugin-react: esbuild compiles TSX with the automatic runtime,
// which is all a bundled desktop UI needs (no dev server hot reload).
export default defineConfig({
  base: "./",
  clearScreen: false,
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    // WebKitGTK 2.4x on Debian 12 is roughly Safari 16.
    target: "safari15",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    // The contrast test reads the theme tokens as written.
    css: { include: [/styles\/base\.css/] },
  },
});
