/**
 * `describe(value)` names a value in error messages ("got a Map"). The
 * article must read right for every constructor name: "an Array", not
 * "a Array".
 */
import { describe, expect, it } from "vitest";
import { describe as describeValue } from "../../src/core/errors.js";

describe("describe(value) in messages", () => {
  it("uses 'an' before a constructor name that starts with a vowel", () => {
    expect(describeValue([1, 2])).toBe("an Array");
    expect(describeValue(new Error("x"))).toBe("an Error");
    expect(describeValue(new Uint8Array(1))).toBe("a Uint8Array");
    expect(describeValue(new ArrayBuffer(1))).toBe("an ArrayBuffer");
    expect(describeValue(new Map())).toBe("a Map");
    class Item {}
    expect(describeValue(new Item())).toBe("an Item");
  });

  it("keeps the plain-object and no-prototype wordings", () => {
    expect(describeValue({})).toBe("an object");
    expect(describeValue(Object.create(null))).toBe("an object with no prototype");
  });
});
