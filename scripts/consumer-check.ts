/**
 * The package, proven from the outside (`npm run test:consumer`).
 *
 * Builds, packs, and installs the tarball into a fresh project in a temporary
 * folder outside this repository, next to typescript, vite, preact and react from
 * the registry at the versions this repository pins. There, with no way back
 * to the source tree, it:
 *   - checks the tarball: every file package.json names, no source maps, the
 *     LICENSE, and every relative link of the shipped Markdown;
 *   - type-checks an app importing every entry (strict, exactOptionalPropertyTypes,
 *     verbatimModuleSyntax, skipLibCheck off) under moduleResolution bundler,
 *     node16 and nodenext and module preserve, and again with the oldest
 *     TypeScript the README promises (our .d.ts must not need the newest lib),
 *     also under node10 (which reads typesVersions, not exports);
 *   - type-checks server code whose lib has no DOM (only @types/node), and
 *     renders the React and Preact bindings on the server, without a DOM;
 *   - runs a Node program using the Trio core, the asyncio layer (the
 *     namespace and the trio-asyncio/asyncio subpath) and the testing entry,
 *     on the development build and (--conditions=production) the production one (compiled by that node16 check), and `require()`s the
 *     package as CommonJS code would;
 *   - bundles an app of the Trio core alone with esbuild (production
 *     condition): no asyncio code in it, it runs, and its error's code is in
 *     the shipped docs/errors.md;
 *   - builds a Vite app with the devtools panel, a Preact app and a React
 *     app, and loads them in Chromium (Debian's, with the flags of e2e/playwright.config.ts,
 *     driven by this repository's playwright-core: the tool, not the code
 *     under test).
 *
 * The folder is removed afterwards; KEEP_CONSUMER=1 keeps it to look into.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { delimiter, extname, join, normalize, posix, relative, resolve, sep } from "node:path";
import { chromium, type Browser } from "playwright-core";
import e2eConfig from "../e2e/playwright.config.js";
import { manifestTargets } from "./manifest-targets.mjs";

const repo = resolve(import.meta.dirname, "..");
const template = join(repo, "scripts", "consumer");
const keep = process.env.KEEP_CONSUMER === "1";
/** The oldest TypeScript whose consumers our declarations must type-check for (the README says so). */
const OLDEST_TYPESCRIPT = "5.0.4";
const startedAt = performance.now();

/** A failed check: its message says what was wrong; `details` is the output behind it. */
class CheckFailed extends Error {
  constructor(message: string, readonly details = "") {
    super(message);
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function step(name: string, body: () => void | Promise<void>): Promise<void> {
  const since = performance.now();
  process.stdout.write(`consumer-check: ${name} ... `);
  try {
    await body();
  } catch (error) {
    process.stdout.write("FAILED\n");
    throw error;
  }
  process.stdout.write(`ok (${seconds(since)})\n`);
}

/**
 * The environment for commands run in the consumer: nothing that leads back
 * here. `npm run` puts this repository's node_modules/.bin on PATH and its
 * own settings (among them local_prefix, the repository) in npm_* variables.
 */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_/.test(key) && key !== "npm_config_registry" && key !== "npm_config_cache") delete env[key];
  }
  delete env.INIT_CWD;
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  env.PATH = (env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => entry !== "" && !resolve(entry).startsWith(repo + sep))
    .join(delimiter);
  return env;
}

/** Runs a command; on a non-zero exit, fails with its output. Returns stdout. */
function sh(command: string, args: string[], cwd: string, options: { env?: NodeJS.ProcessEnv; timeoutSeconds?: number } = {}): string {
  const result = spawnSync(command, args, {
    cwd,
    env: options.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: (options.timeoutSeconds ?? 180) * 1000,
  });
  const shown = `${command} ${args.join(" ")} (in ${cwd})`;
  if (result.error !== undefined) throw new CheckFailed(`${shown} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const why = result.signal !== null ? `was killed by ${result.signal} (timed out?)` : `exited with ${result.status}`;
    throw new CheckFailed(`${shown} ${why}`, `${result.stdout}${result.stderr}`.trim());
  }
  return result.stdout;
}

interface PackedFile {
  path: string;
  size: number;
}
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

/** Relative link targets of a Markdown text (inline links; no URLs, no bare anchors). */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const links: string[] = [];
  for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? "";
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    links.push(target.replace(/#.*$/, ""));
  }
  return links;
}

function checkTarball(packed: PackResult, manifest: Manifest): void {
  const shipped = new Set(packed.files.map((file) => file.path));
  const problems: string[] = [];
  for (const [where, target] of manifestTargets(manifest)) {
    if (!shipped.has(posix.normalize(target))) problems.push(`package.json ${where} names ${target}, which is not in the tarball`);
  }
  for (const required of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) {
    if (!shipped.has(required)) problems.push(`${required} is not in the tarball`);
  }
  const maps = [...shipped].filter((path) => path.endsWith(".map"));
  if (maps.length > 0) problems.push(`source maps are shipped (${maps.join(", ")}); the build should not write them`);
  const directories = new Set([...shipped].flatMap((path) => path.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
  for (const doc of [...shipped].filter((path) => path.endsWith(".md"))) {
    const text = readFileSync(join(repo, doc), "utf8");
    for (const link of relativeLinks(text)) {
      const target = posix.normalize(posix.join(posix.dirname(doc), link)).replace(/\/$/, "");
      if (!shipped.has(target) && !directories.has(target)) problems.push(`${doc} links to ${link}, which is not in the tarball`);
    }
  }
  if (problems.length > 0) throw new CheckFailed(`the tarball is not right:\n  - ${problems.join("\n  - ")}`);
}

interface Manifest {
  main?: string;
  types?: string;
  exports?: unknown;
  devDependencies: Record<string, string>;
}

function writeConsumerManifest(app: string, tarball: string, ours: Manifest): void {
  const pinned = (name: string): string => {
    const version = ours.devDependencies[name];
    if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new CheckFailed(`package.json should pin devDependencies.${name} to an exact version (the consumer uses the same one), found ${String(version)}`);
    }
    return version;
  };
  const manifest = {
    name: "trio-asyncio-consumer-check",
    private: true,
    type: "module",
    dependencies: {
      "trio-asyncio": `file:${tarball}`,
      preact: pinned("preact"),
      "preact-render-to-string": pinned("preact-render-to-string"),
      react: pinned("react"),
      "react-dom": pinned("react-dom"),
    },
    devDependencies: {
      typescript: pinned("typescript"),
      "typescript-oldest": `npm:typescript@${OLDEST_TYPESCRIPT}`,
      vite: pinned("vite"),
      esbuild: pinned("esbuild"),
      "@types/react": pinned("@types/react"),
      "@types/react-dom": pinned("@types/react-dom"),
      "@types/node": pinned("@types/node"),
    },
  };
  writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The import specifiers of the package's entries ("trio-asyncio", "trio-asyncio/web", ...), from its `exports`. */
function packageEntries(manifest: Manifest): string[] {
  const exportsMap = manifest.exports;
  if (exportsMap === null || typeof exportsMap !== "object") throw new CheckFailed("package.json has no exports map");
  return Object.keys(exportsMap)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? "trio-asyncio" : `trio-asyncio/${key.slice(2)}`));
}

/** The type-checked app must import every entry, so that each entry's declarations are read. */
function checkEveryEntryImported(manifest: Manifest): void {
  const sources = ["src/all-entries.tsx", "src/react-entry.tsx"].map((file) => readFileSync(join(template, file), "utf8")).join("\n");
  const missing = packageEntries(manifest).filter((entry) => !sources.includes(`from "${entry}"`));
  if (missing.length > 0) throw new CheckFailed(`scripts/consumer/src/all-entries.tsx does not import ${missing.join(", ")}; add a use of each so its declarations are type-checked`);
}

/** Whether tsconfig.build.json strips `@internal` members from the declarations. */
function stripsInternal(): boolean {
  const config = JSON.parse(readFileSync(join(repo, "tsconfig.build.json"), "utf8")) as { compilerOptions?: { stripInternal?: boolean } };
  return config.compilerOptions?.stripInternal === true;
}

function checkInstalled(app: string, strips: boolean): void {
  const installed = join(app, "node_modules", "trio-asyncio");
  if (!existsSync(installed)) throw new CheckFailed("npm install did not install trio-asyncio");
  if (lstatSync(installed).isSymbolicLink()) throw new CheckFailed(`${installed} is a symlink; the check needs the tarball's copy`);
  const problems: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".d.ts") && readFileSync(path, "utf8").includes("@internal")) {
        problems.push(`${relative(installed, path)} still mentions @internal (stripInternal keeps a declaration whose TSDoc does not start with it)`);
      }
    }
  };
  if (strips) walk(join(installed, "dist"));
  // Each entry must resolve inside the consumer's own node_modules.
  const entries = packageEntries(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Manifest);
  const script = `for (const e of ${JSON.stringify(entries)}) console.log(import.meta.resolve(e));`;
  const resolved = sh(process.execPath, ["--input-type=module", "-e", script], app, { env: outsideEnv() }).trim().split("\n");
  const home = realpathSync(installed);
  resolved.forEach((url, i) => {
    const path = normalize(new URL(url).pathname);
    if (!path.startsWith(home + sep)) problems.push(`${entries[i]} resolves to ${path}, outside ${home}`);
  });
  if (problems.length > 0) throw new CheckFailed(`the installed package is not right:\n  - ${problems.join("\n  - ")}`);
}

/** Runs a Node program of the consumer; fails unless it printed every `expected` line. */
function runNodeProgram(app: string, file: string, expected: string[], nodeFlags: string[] = []): void {
  const output = sh(process.execPath, [...nodeFlags, file], app, { env: outsideEnv(), timeoutSeconds: 60 });
  const lines = output.trim().split("\n");
  const missing = expected.filter((line) => !lines.some((printed) => printed === line || printed.startsWith(`${line} (`)));
  if (missing.length > 0) throw new CheckFailed(`the Node program did not print ${missing.join(", ")}`, output);
}

/** The codes of the installed docs/errors.md, each with the source file (its section) that throws it. */
function errorCodes(app: string): Map<string, string> {
  const codes = new Map<string, string>();
  let file = "";
  for (const line of readFileSync(join(app, "node_modules", "trio-asyncio", "docs", "errors.md"), "utf8").split("\n")) {
    if (line.startsWith("## ")) file = line.slice(3).trim();
    const entry = /\*\*(TA-[0-9a-z]{5})\*\*/.exec(line);
    if (entry?.[1] !== undefined) codes.set(entry[1], file);
  }
  return codes;
}

function checkCoreOnlyBundle(app: string): void {
  const bundle = join(app, "out", "core-only.bundle.js");
  const args = ["src/core-only.ts", "--bundle", "--minify", "--platform=browser", "--format=esm", "--conditions=production", `--outfile=${bundle}`, "--log-level=warning"];
  sh(join(app, "node_modules", ".bin", "esbuild"), args, app, { env: outsideEnv() });
  const code = readFileSync(bundle, "utf8");
  const codes = errorCodes(app);
  const used = [...new Set(code.match(/TA-[0-9a-z]{5}/g) ?? [])];
  if (used.length === 0) throw new CheckFailed("the core-only bundle holds no error code: esbuild did not pick the production build (the production condition)");
  const unknown = used.filter((found) => !codes.has(found));
  if (unknown.length > 0) throw new CheckFailed(`the production build uses codes the shipped docs/errors.md does not list: ${unknown.join(", ")}`);
  const asyncioFiles = [...new Set(used.map((found) => codes.get(found) ?? "").filter((file) => file.startsWith("src/asyncio/")))];
  if (asyncioFiles.length > 0) throw new CheckFailed(`an app of the Trio core alone bundles asyncio code (messages of ${asyncioFiles.join(", ")}): tree shaking is broken`);
  const output = sh(process.execPath, [bundle], app, { env: outsideEnv(), timeoutSeconds: 60 });
  if (!output.includes("core-only: 2,1,0 cancelled\n")) throw new CheckFailed("the core-only bundle did not run its nursery and cancel scope as expected", output);
  const message = /core-only: error: (TA-[0-9a-z]{5}): .* \(trio-asyncio\/docs\/errors\.md\)$/m.exec(output);
  if (message?.[1] === undefined || !codes.has(message[1])) {
    throw new CheckFailed("sleep(-1) in the production bundle did not fail with a code of docs/errors.md and the pointer to that page", output);
  }
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Serves a built Vite app on 127.0.0.1 at a free port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const file = resolve(root, `.${pathname === "/" ? "/index.html" : pathname}`);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  if (address === null || typeof address === "string") throw new CheckFailed("the static server has no port");
  return { server, url: `http://127.0.0.1:${address.port}` };
}

async function checkInBrowser(url: string): Promise<void> {
  const launch = e2eConfig.use?.launchOptions ?? {};
  let browser: Browser | undefined;
  try {
    const executablePath = process.env.CHROMIUM_PATH ?? launch.executablePath ?? "/usr/bin/chromium";
    browser = await chromium.launch({ ...launch, executablePath }).catch((error: unknown) => {
      const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new CheckFailed(`Chromium did not start from ${executablePath} (${why}). Install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console error: ${message.text()}`);
    });
    const timeout = 15_000;

    await page.goto(`${url}/index.html`);
    const worker = page.getByRole("treeitem", { name: /^consumer-worker #/ });
    await worker.waitFor({ state: "visible", timeout }).catch(() => {
      throw new CheckFailed("the devtools panel did not show the task consumer-worker", errors.join("\n"));
    });
    if ((await page.locator("#result").textContent()) !== "pending") throw new CheckFailed("the run ended before the check released it");
    await page.evaluate(() => window.finishConsumerRun?.());
    await page.waitForFunction(() => document.getElementById("result")?.textContent !== "pending", undefined, { timeout });
    const result = await page.locator("#result").textContent();
    if (result !== "done: 3") throw new CheckFailed(`the run in the page ended with "${result}", not "done: 3"`, errors.join("\n"));
    // The panel keeps exited tasks in its history, greyed (tad-exited): no live row may be left.
    const live = page.locator('[role="treeitem"][aria-label^="consumer-worker #"]:not(.tad-exited)');
    await live.waitFor({ state: "detached", timeout }).catch(() => {
      throw new CheckFailed("the devtools panel still shows consumer-worker as live after its run ended");
    });

    await page.goto(`${url}/preact.html`);
    await page.waitForFunction(() => document.getElementById("greeting")?.textContent === "hello, consumer", undefined, { timeout }).catch(async () => {
      const shown = await page.locator("#greeting").textContent().catch(() => null);
      throw new CheckFailed(`the Preact app shows ${JSON.stringify(shown)}, not "hello, consumer"`, errors.join("\n"));
    });

    // The task must have run once (the page counts its runs).
    await page.goto(`${url}/react.html`);
    await page.waitForFunction(() => /^hello, consumer/.test(document.getElementById("greeting")?.textContent ?? ""), undefined, { timeout }).catch(async () => {
      const shown = await page.locator("#greeting").textContent().catch(() => null);
      throw new CheckFailed(`the React app shows ${JSON.stringify(shown)}, not "hello, consumer (runs: 1)"`, errors.join("\n"));
    });
    const greeting = await page.locator("#greeting").textContent();
    if (greeting !== "hello, consumer (runs: 1)") throw new CheckFailed(`the React app shows ${JSON.stringify(greeting)}: its task ran more than once`);
    if (errors.length > 0) throw new CheckFailed("the pages logged errors", errors.join("\n"));
  } finally {
    await browser?.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "trio-asyncio-consumer-"));
  if (realpathSync(work).startsWith(repo + sep)) throw new CheckFailed(`the temporary folder ${work} is inside the repository; set TMPDIR elsewhere`);
  const app = join(work, "app");
  let server: Server | undefined;
  try {
    const errorsPage = join(repo, "docs", "errors.md");
    const committedErrorsPage = readFileSync(errorsPage, "utf8");
    await step("build (npm run build)", () => {
      sh("npm", ["run", "build"], repo);
    });
    // The production build's messages are codes decoded by docs/errors.md, which the build
    // rewrites: a stale page in the tarball would decode a code wrongly or not at all.
    await step("docs/errors.md matches the production build's codes", () => {
      if (readFileSync(errorsPage, "utf8") !== committedErrorsPage) {
        throw new CheckFailed("the build changed docs/errors.md: an error message changed since the page was written; commit the rebuilt docs/errors.md");
      }
    });

    let packed: PackResult | undefined;
    await step("pack (npm pack)", () => {
      const [result] = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work], repo)) as PackResult[];
      if (result === undefined) throw new CheckFailed("npm pack printed no result");
      packed = result;
    });
    if (packed === undefined) return;
    const tarball = join(work, packed.filename);
    console.log(`consumer-check: ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked, ${packed.entryCount} files`);

    const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as Manifest;
    const tarballContents = packed;
    const strips = stripsInternal();
    await step("tarball contents (exports, LICENSE, no maps, Markdown links)", () => checkTarball(tarballContents, manifest));

    await step(`install into ${app} (npm install, registry versions pinned as here)`, () => {
      mkdirSync(app);
      cpSync(template, app, { recursive: true });
      writeConsumerManifest(app, tarball, manifest);
      sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--engine-strict", "--loglevel=error"], app, { env: outsideEnv(), timeoutSeconds: 300 });
      checkInstalled(app, strips);
    });

    if (!strips) console.log("consumer-check: note: stripInternal is off in tsconfig.build.json, so @internal members ship in the .d.ts");

    // By package path, not .bin/tsc: both TypeScripts installed claim that name.
    const tsc = (version: "typescript" | "typescript-oldest", args: string[]): void => {
      sh(process.execPath, [join(app, "node_modules", version, "bin", "tsc"), ...args], app, { env: outsideEnv() });
    };
    checkEveryEntryImported(manifest);
    for (const resolution of ["bundler", "nodenext", "node16"]) {
      await step(`typecheck every entry, strictest options, skipLibCheck off, moduleResolution ${resolution}`, () => {
        tsc("typescript", ["-p", `tsconfig.${resolution}.json`]);
      });
    }
    await step(`typecheck every entry, module preserve`, () => {
      tsc("typescript", ["-p", "tsconfig.bundler.json", "--module", "preserve"]);
    });
    // A library's types must not need its consumer's newest TypeScript (5.7's generic
    // ArrayBufferView once broke 5.0 to 5.6). 5.0 has no module preserve.
    for (const resolution of ["bundler", "node16"]) {
      await step(`typecheck every entry with TypeScript ${OLDEST_TYPESCRIPT}, moduleResolution ${resolution}`, () => {
        tsc("typescript-oldest", ["-p", `tsconfig.${resolution}.json`, "--noEmit"]);
      });
    }
    await step("typecheck server code (lib without DOM, @types/node): core, asyncio, testing", () => {
      tsc("typescript", ["-p", "tsconfig.server.json"]);
    });
    // node10 ignores `exports`: the subpaths' types come from package.json's typesVersions.
    // (TypeScript 6 deprecates node10, so the older one checks it.)
    await step(`typecheck every entry with TypeScript ${OLDEST_TYPESCRIPT}, moduleResolution node10 (typesVersions)`, () => {
      tsc("typescript-oldest", ["-p", "tsconfig.bundler.json", "--moduleResolution", "node"]);
    });

    await step("run the Node program (core, asyncio, testing)", () => {
      runNodeProgram(app, join("out", "src", "node-app.js"), ["node: Trio core ok", "node: asyncio layer ok", "node: testing entry ok", "node: development build"]);
    });
    await step("run it again on the production build (node --conditions=production)", () => {
      runNodeProgram(app, join("out", "src", "node-app.js"), ["node: Trio core ok", "node: asyncio layer ok", "node: testing entry ok", "node: production build"], ["--conditions=production"]);
    });
    await step("server rendering without a DOM (every entry imports; React and Preact renderToString)", () => {
      runNodeProgram(app, join("server", "ssr.mjs"), ["<p>react: running</p>", "<p>preact: running</p>", "ssr: exited"]);
    });
    await step("require() the package from CommonJS", () => {
      runNodeProgram(app, join("src", "require-check.cjs"), ["node: require() ok"]);
    });

    await step("esbuild: a core-only app (production) bundles no asyncio code, runs, and its error's code is in docs/errors.md", () => {
      checkCoreOnlyBundle(app);
    });

    const web = join(app, "web");
    await step("vite build (devtools page, Preact app, React app)", () => {
      sh(join(app, "node_modules", ".bin", "vite"), ["build", "--config", join(web, "vite.config.mjs")], app, { env: outsideEnv() });
      const built = join(web, "dist");
      const leaks = readdirSync(join(built, "assets")).filter((file) => readFileSync(join(built, "assets", file), "utf8").includes(repo));
      if (leaks.length > 0) throw new CheckFailed(`the built app names the repository's path (${repo}) in ${leaks.join(", ")}`);
    });

    await step("a worker module bundles no asyncio loop (defineWorker + checkpoint, production build)", () => {
      sh(join(app, "node_modules", ".bin", "vite"), ["build", "--config", join(web, "worker.config.mjs")], app, { env: outsideEnv() });
      const assets = join(web, "dist-worker", "assets");
      const code = readdirSync(assets)
        .filter((file) => file.endsWith(".js"))
        .map((file) => readFileSync(join(assets, file), "utf8"))
        .join("\n");
      if (!code.includes("defineWorker")) throw new CheckFailed("the worker module's build does not contain defineWorker: the check would prove nothing");
      // A module-level statement in a shared chunk that names an asyncio class keeps it in every app loading that chunk.
      const found = ["EventLoop", "Future", "TaskGroup"].filter((name) => new RegExp(`\\bclass ${name}\\b|\\b${name}(\\$\\d+)? = class\\b`).test(code));
      if (found.length > 0) throw new CheckFailed(`a worker module that uses only defineWorker and checkpoint bundles ${found.join(", ")}: tree shaking is broken`);
    });

    await step("Chromium: the panel shows the run, the run completes, the Preact and React apps render", async () => {
      const served = await serve(join(web, "dist"));
      server = served.server;
      await checkInBrowser(served.url);
    });

    console.log(`consumer-check: passed in ${seconds(startedAt)}`);
  } finally {
    server?.close();
    if (keep) console.log(`consumer-check: kept ${work} (KEEP_CONSUMER=1)`);
    else rmSync(work, { recursive: true, force: true });
  }
}

// Each command has its own timeout; this is the backstop for a hang between them.
const watchdog = setTimeout(() => {
  console.error(`consumer-check: FAILED: still running after ${seconds(startedAt)}; something hangs`);
  process.exit(1);
}, 10 * 60 * 1000);
watchdog.unref();

main().catch((error: unknown) => {
  if (error instanceof CheckFailed) {
    console.error(`consumer-check: ${error.message}`);
    if (error.details !== "") console.error(error.details.split("\n").slice(-60).join("\n"));
  } else {
    console.error("consumer-check: the check itself crashed:", error);
  }
  console.error(`consumer-check: FAILED after ${seconds(startedAt)}${keep ? "" : " (rerun with KEEP_CONSUMER=1 to keep the consumer project)"}`);
  process.exitCode = 1;
});

// Used by the page's code (web/main.ts) and called from checkInBrowser.
declare global {
  interface Window {
    finishConsumerRun?: () => void;
  }
}
