/// <reference types="vite/client" />
// Types for what Vite gives the demo pages: CSS imports, import.meta.env.
