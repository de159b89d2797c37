// Vite's client types: `?url` imports of assets (the .wasm binaries) and import.meta.env.
/// <reference types="vite/client" />
