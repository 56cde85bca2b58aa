import { describe, expect, it } from "vitest";
import { asyncio } from "../../src/index.js";

function* answer(): asyncio.Coroutine<number> {
  yield* asyncio.sleep(0);
  return 42;
}

describe("the asyncio namespace", () => {
  it("offers asyncio.run and asyncio.Runner like Python's module", async () => {
    await expect(asyncio.run(answer())).resolves.toBe(42);
    expect(typeof asyncio.Runner).toBe("function");
  });
});
