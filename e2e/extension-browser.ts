import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { chromium, type BrowserContext, type Worker } from "@playwright/test";
import { buildExtension } from "../scripts/build-extension.js";
import { CHROMIUM_FLAGS } from "./chromium-flags.js";

/** Debian's Chromium with the devtools extension built and loaded unpacked, in a fresh profile. */
export interface ExtensionBrowser {
  readonly context: BrowserContext;
  /** The extension's service worker. */
  readonly worker: Worker;
  /** Where the unpacked extension was built (a second browser may load it too). */
  readonly extensionDir: string;
  /** The ids of the open tabs, as the extension sees them. */
  tabIds(): Promise<number[]>;
  /** Closes the browser and removes the extension and profile directories. */
  close(): Promise<void>;
}

/** Builds the extension and launches Chromium with it (extensions need the new headless mode). */
export async function launchWithExtension(viewport: { width: number; height: number }): Promise<ExtensionBrowser> {
  const extensionDir = await buildExtension(mkdtempSync(resolve(tmpdir(), "trio-extension-")));
  const profileDir = mkdtempSync(resolve(tmpdir(), "trio-extension-profile-"));
  const removeDirs = (): void => {
    rmSync(extensionDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: false, // the --headless=new flag below instead
      ignoreDefaultArgs: ["--disable-extensions"],
      viewport,
      args: ["--headless=new", `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...CHROMIUM_FLAGS],
    });
  } catch (error) {
    removeDirs();
    throw error;
  }
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
  return {
    context,
    worker,
    extensionDir,
    tabIds: () =>
      // The service worker may have been restarted: ask the live one.
      (context.serviceWorkers()[0] ?? worker).evaluate(async () => {
        const api = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ id?: number }[]> } } }).chrome;
        return (await api.tabs.query({})).map((t) => t.id ?? -1);
      }),
    close: async () => {
      try {
        await context.close();
      } finally {
        removeDirs();
      }
    },
  };
}
