/**
 * createTask(coro, { name }) through a task factory: the name is checked
 * before the factory runs. The loop names the factory's task afterwards
 * (as CPython 3.12/3.13 do), so a name it could not set would otherwise be
 * refused only once the factory had made and scheduled a task that nobody
 * holds.
 */
import { expect, it } from "vitest";
import { Task } from "../../src/asyncio/index.js";
import { runAio } from "./helpers.js";

it("a bad name is refused before the factory makes a task", async () => {
  const r = await runAio(function* (loop) {
    let made = 0;
    loop.setTaskFactory((l, coro) => {
      made++;
      return new Task(coro, { loop: l });
    });
    let ran = false;
    let error: unknown;
    try {
      loop.createTask(
        (function* () {
          ran = true;
        })(),
        { name: {} as unknown as string },
      );
    } catch (e) {
      error = e;
    }
    // Let anything that was scheduled run.
    yield* (function* () {
      for (let i = 0; i < 3; i++) yield* loop.createTask((function* () {})());
    })();
    return { made, ran, error };
  });
  expect(r.error).toBeInstanceOf(TypeError);
  expect((r.error as Error).message).toMatch(/^createTask\(coro, \{ name \}\): a task name must be a string, got an object\.$/);
  expect(r.ran).toBe(false);
  expect(r.made).toBe(3); // only the three made afterwards
});
