// Every file path a package.json names, for the checks that each of them is
// built (check-exports.mjs) and shipped (consumer-check.ts).

/**
 * [where in package.json, target path] for every file the manifest names:
 * main, types, each condition of each entry in `exports`, and `typesVersions`.
 * @param {{ main?: string; types?: string; exports?: unknown; typesVersions?: unknown }} manifest
 * @returns {[string, string][]}
 */
export function manifestTargets(manifest) {
  /** @type {[string, string][]} */
  const found = [];
  if (manifest.main !== undefined) found.push(["main", manifest.main]);
  if (manifest.types !== undefined) found.push(["types", manifest.types]);
  /** @type {(value: unknown, where: string) => void} */
  const walk = (value, where) => {
    if (typeof value === "string") found.push([where, value]);
    else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, `${where}[${JSON.stringify(key)}]`);
    }
  };
  walk(manifest.exports, "exports");
  walk(manifest.typesVersions, "typesVersions");
  return found;
}
