// The dashboard is served at /_/ (hash routing, so any /_/… address is index.html). Built into
// the top-level ui_dist/, which is committed: building the pyz needs no Node.
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

export default defineConfig({
    base: "./",
    plugins: [svelte()],
    build: {
        outDir: "../ui_dist",
        emptyOutDir: true,
        // Hashed names under assets/ are cached for long; index.html never is (see apis/static.py).
        assetsDir: "assets",
        sourcemap: false,
    },
});
