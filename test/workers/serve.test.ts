/**
 * The worker side's dispatch (defineWorker), driven in this thread through
 * the `endpoint` option: calls start straight from the message listener,
 * in arrival order, so a cancel posted right behind its call finds it, and
 * what the listener cannot use is ignored without disturbing the rest.
 */
import { describe, expect, it } from "vitest";
import { sleep, sleepForever } from "../../src/index.js";
import { defineWorker } from "../../src/workers/index.js";

interface Answer {
  kind: string;
  id?: number;
  value?: unknown;
  error?: unknown;
}

/** A worker endpoint in this thread: what the worker posts, and a way to deliver page messages. */
function fakeEndpoint() {
  const posted: Answer[] = [];
  let listener: ((data: unknown) => void) | null = null;
  const waiters: (() => void)[] = [];
  return {
    posted,
    endpoint: {
      postMessage(data: unknown) {
        posted.push(data as Answer);
        for (const wake of waiters.splice(0)) wake();
      },
      listen(l: (data: unknown) => void) {
        listener = l;
      },
    },
    deliver(data: unknown) {
      if (listener === null) throw new Error("defineWorker did not listen");
      listener(data);
    },
    /** Waits until an answer for `id` has been posted. */
    async answerFor(id: number): Promise<Answer> {
      for (;;) {
        const found = posted.find((a) => a.id === id && a.kind !== "ready");
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

const call = (id: number, op: string, args: unknown[] = []) => ({ trioWorker: 1, kind: "call", id, op, args });
const cancel = (id: number, reason?: string) => ({ trioWorker: 1, kind: "cancel", id, reason });

describe("defineWorker's dispatch", () => {
  it("a cancel delivered in the same turn as its call cancels it; the operation's finally ran first", async () => {
    const log: string[] = [];
    const fake = fakeEndpoint();
    defineWorker(
      {
        *wait(tag: string) {
          try {
            log.push(`${tag}:started`);
            yield* sleepForever();
          } finally {
            log.push(`${tag}:finally`);
          }
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.deliver(call(1, "wait", ["a"]));
    fake.deliver(cancel(1, "stale"));
    const answer = await fake.answerFor(1);
    expect(answer.kind).toBe("cancelled");
    expect(log).toEqual(["a:started", "a:finally"]);
  });

  it("cancels only the call named; the others answer", async () => {
    const fake = fakeEndpoint();
    defineWorker(
      {
        *slowAdd(a: number, b: number) {
          yield* sleep(0.01);
          return a + b;
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.deliver(call(1, "slowAdd", [1, 2]));
    fake.deliver(call(2, "slowAdd", [3, 4]));
    fake.deliver(cancel(1));
    expect((await fake.answerFor(1)).kind).toBe("cancelled");
    expect(await fake.answerFor(2)).toMatchObject({ kind: "result", value: 7 });
  });

  it("serves messages delivered before its run has started, in order", async () => {
    const fake = fakeEndpoint();
    defineWorker(
      {
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    // Same turn as defineWorker: its run has not taken its first step yet.
    fake.deliver(call(1, "echo", ["first"]));
    fake.deliver(call(2, "echo", ["second"]));
    expect(await fake.answerFor(1)).toMatchObject({ kind: "result", value: "first" });
    expect(await fake.answerFor(2)).toMatchObject({ kind: "result", value: "second" });
    expect(fake.posted.map((a) => a.kind)).toEqual(["ready", "result", "result"]);
  });

  it("ignores what is not a protocol message (hostile values included) and keeps serving", async () => {
    const fake = fakeEndpoint();
    defineWorker(
      {
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = new Proxy({}, { get: () => { throw new Error("getter"); } });
    for (const junk of [null, 42, "call", { kind: "call", id: 9, op: "echo", args: [] }, revoked.proxy, throwing, Object.create(null)]) {
      expect(() => fake.deliver(junk)).not.toThrow();
    }
    fake.deliver(cancel(12345)); // a call that does not exist (or already answered)
    // A tool's cancel with a bad kind or id, or of nothing live: ignored.
    for (const bad of [{ what: "thread", id: 1 }, { what: "task", id: "1" }, { what: "task", id: 1.5 }, { what: "scope", id: 999999 }]) {
      expect(() => fake.deliver({ trioWorker: 1, kind: "inspectCancel", reason: "x", ...bad })).not.toThrow();
    }
    fake.deliver(call(3, "echo", ["still here"]));
    expect(await fake.answerFor(3)).toMatchObject({ kind: "result", value: "still here" });
    expect(fake.posted.some((a) => a.id === 9)).toBe(false);
  });

  it("answers an unknown operation and arguments that are not an array with errors naming the problem", async () => {
    const fake = fakeEndpoint();
    defineWorker(
      {
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.deliver(call(1, "nope"));
    fake.deliver({ trioWorker: 1, kind: "call", id: 2, op: "echo", args: 5 });
    const unknown = await fake.answerFor(1);
    expect(unknown.kind).toBe("error");
    expect(JSON.stringify(unknown.error)).toMatch(/no operation \\"nope\\"; it defines \\"echo\\"/);
    expect((await fake.answerFor(2)).kind).toBe("error");
  });
});

describe("defineWorker's serving task", () => {
  it("tells the page it is done for (fatal) if a tool cancels it, rather than leaving calls unanswered", async () => {
    const { inspector } = await import("../../src/index.js");
    const fake = fakeEndpoint();
    defineWorker(
      {
        *wait() {
          yield* sleepForever();
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.deliver(call(1, "wait"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const serveTasks = inspector.inspect().tasks.filter((t) => t.name === "serve");
    // The newest run's serving task (other tests in this file left theirs running).
    const serve = serveTasks.reduce((a, b) => (a.runId > b.runId ? a : b));
    expect(inspector.cancel("task", serve.id, "from a test")).toBe(true);
    for (let i = 0; i < 50 && !fake.posted.some((a) => a.kind === "fatal"); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const fatal = fake.posted.find((a) => a.kind === "fatal");
    expect(JSON.stringify(fatal?.error)).toMatch(/serving task was cancelled/);
    // The call in flight was cancelled with the rest of the run.
    expect(fake.posted.find((a) => a.id === 1)?.kind).toBe("cancelled");
  });
});

describe("defineWorker's dispatch: messages of ours whose fields cannot be read (an endpoint of the caller's can deliver anything)", () => {
  const getter = (fields: object, key: string) =>
    Object.defineProperty({ trioWorker: 1, ...fields }, key, {
      enumerable: true,
      get() {
        throw new Error(`${key} getter`);
      },
    });

  it("never throw into the host's listener; a call that can be named is answered with an error naming what is wrong; the worker keeps serving", async () => {
    const fake = fakeEndpoint();
    defineWorker(
      {
        *wait() {
          yield* sleepForever();
        },
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.deliver(call(1, "wait"));
    const junk = [
      getter({}, "kind"),
      getter({ kind: "call", op: "echo", args: [] }, "id"),
      getter({ kind: "call", id: 2, args: [] }, "op"),
      getter({ kind: "cancel", id: 1 }, "reason"), // call 1 is running: its reason is read
      getter({ kind: "inspect" }, "watch"),
      getter({ kind: "inspectCancel", id: 1, reason: "x" }, "what"),
    ];
    for (const data of junk) expect(() => fake.deliver(data)).not.toThrow();
    // The cancel whose reason could not be read still cancels, with the default reason.
    expect((await fake.answerFor(1)).kind).toBe("cancelled");
    const unreadableOp = await fake.answerFor(2);
    expect(unreadableOp.kind).toBe("error");
    expect(JSON.stringify(unreadableOp.error)).toMatch(/Call #2 from the page cannot be served: it needs an operation name \(a string\) and arguments \(an array\); its \\"op\\" field cannot be read \(Error: op getter\)/);
    fake.deliver(call(3, "echo", ["still here"]));
    expect(await fake.answerFor(3)).toMatchObject({ kind: "result", value: "still here" });
  });

  it("a call whose arguments are no array: an error naming the field, not the engine's words", async () => {
    const fake = fakeEndpoint();
    defineWorker(
      {
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.deliver({ trioWorker: 1, kind: "call", id: 1, op: "echo", args: 5 });
    const answer = await fake.answerFor(1);
    expect(answer.kind).toBe("error");
    expect((answer.error as { error: { message: string } }).error.message).toMatch(/^Call #1 from the page cannot be served: .*its "args" field is number 5\. Build the worker and the page with the same trio-asyncio\.$/);
  });
});
