/**
 * The coverage rule every bad-input table keeps: each export of its entry
 * is in a row (`covers`) or skipped with a reason, and rows and skips name
 * real exports only, so a new public name cannot go untested and a removed
 * one cannot linger in a table.
 */
import { expect } from "vitest";

export function expectEveryExportCovered(exports: readonly string[], rows: readonly { readonly covers: readonly string[] }[], skipped: Readonly<Record<string, string>>): void {
  const covered = new Set(rows.flatMap((row) => row.covers));
  expect(exports.filter((name) => !covered.has(name) && !(name in skipped)), "exports in no row and not skipped").toEqual([]);
  for (const [name, reason] of Object.entries(skipped)) expect({ name, reason: reason.length > 5 }, "a skip needs a reason").toEqual({ name, reason: true });
  const all = new Set(exports);
  expect([...covered, ...Object.keys(skipped)].filter((name) => !all.has(name)), "rows or skips naming no export").toEqual([]);
}
