/** Every file path a package.json names (main, types, each condition of each entry in `exports`, `typesVersions`), as [where in package.json, path]. */
export function manifestTargets(manifest: { main?: string; types?: string; exports?: unknown; typesVersions?: unknown }): [string, string][];
