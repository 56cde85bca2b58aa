/** The extension's service worker: routes between DevTools panels and pages (see router.ts). */
import { chromeApi } from "./chrome-api.js";
import { Router } from "./router.js";

const router = new Router();
chromeApi().runtime.onConnect.addListener((port) => router.connect(port));
