/**
 * openLoop's options are read as every option is: a value that cannot be
 * read (a revoked Proxy) is refused by name, a getter that throws raises its
 * own error, and `debug` takes only booleans.
 */
import { expect, it } from "vitest";
import { openLoop, run } from "../../src/index.js";

function* body(): Generator<never, string, unknown> {
  return "ran";
}

function attempt(options: unknown): Promise<unknown> {
  return run(function* () {
    return yield* openLoop(body, options as never);
  }).then(
    (value) => ({ value }),
    (error: unknown) => error,
  );
}

it("a revoked Proxy as openLoop's options is refused with a message naming openLoop", async () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const error = await attempt(proxy);
  expect(error).toBeInstanceOf(TypeError);
  expect((error as Error).message).toMatch(/^openLoop\(body, options\): the options object cannot be read/);
});

it("a debug getter that throws raises its own error, and the body never runs", async () => {
  let ran = false;
  const options = {
    get debug(): boolean {
      throw new Error("debug getter says no");
    },
  };
  const error = await run(function* () {
    return yield* openLoop(function* () {
      ran = true;
    }, options);
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as Error).message).toBe("debug getter says no");
  expect(ran).toBe(false);
});

it("debug: true or false or left out runs the body; anything else is refused", async () => {
  for (const ok of [{}, { debug: true }, { debug: false }, { debug: undefined }]) expect(await attempt(ok)).toEqual({ value: "ran" });
  const error = await attempt({ debug: "yes" });
  expect((error as Error).message).toMatch(/^openLoop\(body, options\): debug must be true or false/);
});
