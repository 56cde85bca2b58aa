/**
 * Default task names count from Task-1 in a fresh module graph (vitest gives
 * each file its own): nothing the library makes for itself, such as the
 * instances the loop keeps for their hidden classes, takes a number.
 */
import { describe, expect, it } from "vitest";
import { sleep } from "../../src/asyncio/index.js";
import { runAio } from "./helpers.js";

describe("default task names", () => {
  it("the first Task of the page is Task-1, the next Task-2", async () => {
    await runAio(function* (loop) {
      const a = loop.createTask(sleep(0));
      const b = loop.createTask(sleep(0));
      expect([a.getName(), b.getName()]).toEqual(["Task-1", "Task-2"]);
      yield* sleep(0);
    });
  });
});
