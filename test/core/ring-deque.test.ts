// The ring buffer behind memory channels and asyncio queues, against a plain array as the model.
import { describe, expect, it } from "vitest";
import { RingDeque } from "../../src/core/ring-deque.js";

describe("RingDeque", () => {
  it("matches an array queue under random pushes and shifts", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const initial of [0, 1, 3, 16, 1000]) {
      const d = new RingDeque<unknown>(initial);
      const model: number[] = [];
      const got: unknown[] = [];
      const want: unknown[] = [];
      let sizeMismatches = 0;
      for (let i = 0; i < 5000; i++) {
        if (model.length === 0 || rand() < 0.55) {
          d.push(i);
          model.push(i);
        } else {
          got.push(d.shift());
          want.push(model.shift());
        }
        if (d.size !== model.length) sizeMismatches++;
      }
      while (model.length > 0) {
        got.push(d.shift());
        want.push(model.shift());
      }
      expect(got).toEqual(want);
      expect(sizeMismatches).toBe(0);
    }
  });

  it("clear drops the values and the deque stays usable", () => {
    const d = new RingDeque<unknown>(4);
    for (let i = 0; i < 10; i++) d.push(i);
    d.shift();
    d.clear();
    expect(d.size).toBe(0);
    d.push("x");
    d.push("y");
    expect([d.shift(), d.shift()]).toEqual(["x", "y"]);
  });
});
