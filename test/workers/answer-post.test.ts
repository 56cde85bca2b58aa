/**
 * The worker side's posts are total: an answer the endpoint refuses (a
 * value that cannot be cloned, a closed port, a host postMessage that
 * throws) is replaced by an error answer if one can be posted; if nothing
 * can be, the worker reports `fatal` once, stops serving, and leaves no
 * unhandled rejection (test/setup-unhandled.ts fails the test on one).
 */
import { describe, expect, it } from "vitest";
import { sleepForever } from "../../src/index.js";
import { defineWorker } from "../../src/workers/index.js";

interface Posted {
  kind: string;
  id?: number;
  value?: unknown;
  error?: { error?: { name: string; message: string; cause?: unknown } };
}

/**
 * A worker endpoint in this thread that clones what it posts (as a host
 * does) and refuses a message when `refuse(message)` says so, throwing
 * what it returns. `attempts` lists every post tried, `posted` those taken.
 */
function refusingEndpoint(refuse: (msg: Posted) => unknown) {
  const attempts: string[] = [];
  const posted: Posted[] = [];
  let listener: ((data: unknown) => void) | null = null;
  return {
    attempts,
    posted,
    endpoint: {
      postMessage(data: unknown) {
        const msg = data as Posted;
        attempts.push(msg.kind);
        const refusal = refuse(msg);
        if (refusal !== undefined) throw refusal;
        posted.push(structuredClone(msg));
      },
      listen(l: (data: unknown) => void) {
        listener = l;
      },
    },
    deliver(data: unknown) {
      if (listener === null) throw new Error("defineWorker did not listen");
      listener(data);
    },
  };
}

const call = (id: number, op: string, args: unknown[] = []) => ({ trioWorker: 1, kind: "call", id, op, args });
const cancel = (id: number) => ({ trioWorker: 1, kind: "cancel", id, reason: "stop" });
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(done()).toBe(true);
}

describe("defineWorker: an answer the endpoint refuses", () => {
  it("a refused result is answered with an error naming the operation and the host's error; the worker keeps serving", async () => {
    const closed = new Error("port closed");
    const fake = refusingEndpoint((m) => (m.kind === "result" && m.value === "refused" ? closed : undefined));
    defineWorker(
      {
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await turn();
    fake.deliver(call(1, "echo", ["refused"]));
    await until(() => fake.posted.some((m) => m.id === 1));
    const answer = fake.posted.find((m) => m.id === 1)!;
    expect(answer.kind).toBe("error");
    expect(answer.error?.error?.message).toBe('The result of worker operation "echo" (call #1) could not be sent to the page: the worker\'s postMessage threw Error: port closed.');
    fake.deliver(call(2, "echo", ["fine"]));
    await until(() => fake.posted.some((m) => m.id === 2));
    expect(fake.posted.find((m) => m.id === 2)).toMatchObject({ kind: "result", value: "fine" });
  });

  it("a refused cancelled answer becomes an error answer for that call alone; the other calls run on", async () => {
    const fake = refusingEndpoint((m) => (m.kind === "cancelled" ? new Error("no cancelled today") : undefined));
    const log: string[] = [];
    defineWorker(
      {
        *wait(tag: string) {
          try {
            yield* sleepForever();
          } finally {
            log.push(`${tag}:finally`);
          }
        },
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await turn();
    fake.deliver(call(1, "wait", ["a"]));
    fake.deliver(call(2, "wait", ["b"]));
    fake.deliver(cancel(1));
    await until(() => fake.posted.some((m) => m.id === 1));
    const answer = fake.posted.find((m) => m.id === 1)!;
    expect(answer.kind).toBe("error");
    expect(answer.error?.error?.message).toMatch(/^Worker operation "wait" \(call #1\) was cancelled, but its "cancelled" answer could not be sent to the page: the worker's postMessage threw Error: no cancelled today\.$/);
    fake.deliver(call(3, "echo", ["still serving"]));
    await until(() => fake.posted.some((m) => m.id === 3));
    expect(fake.posted.find((m) => m.id === 3)).toMatchObject({ kind: "result", value: "still serving" });
    // Call 2 was not taken down with call 1's answer.
    expect(log).toEqual(["a:finally"]);
    expect(fake.attempts).not.toContain("fatal");
  });

  it("an error record the endpoint refuses is sent again as plain text", async () => {
    // Refuses any message that carries a cause record (a stand-in for a record a host will not take).
    const fake = refusingEndpoint((m) => (m.kind === "error" && m.error?.error?.cause !== undefined ? new Error("too deep") : undefined));
    defineWorker(
      {
        *boom() {
          throw new RangeError("outer", { cause: new Error("inner") });
        },
      },
      { endpoint: fake.endpoint },
    );
    await turn();
    fake.deliver(call(1, "boom"));
    await until(() => fake.posted.some((m) => m.id === 1));
    const answer = fake.posted.find((m) => m.id === 1)!;
    expect(answer.error?.error).toEqual({
      name: "TypeError",
      message: 'The error raised by worker operation "boom" (call #1) could not be sent to the page (the worker\'s postMessage threw Error: too deep); it raised RangeError: outer.',
      stack: undefined,
    });
    expect(fake.attempts).toEqual(["ready", "error", "error", "error"]);
  });

  it("when nothing can be posted any more, the worker tries fatal once, stops serving, and leaves no unhandled rejection", async () => {
    let open = true;
    const fake = refusingEndpoint(() => (open ? undefined : new Error("the port is closed")));
    const log: string[] = [];
    defineWorker(
      {
        *echo(v: unknown) {
          log.push(`echo ${String(v)}`);
          return v;
        },
        *wait() {
          try {
            yield* sleepForever();
          } finally {
            log.push("wait:finally");
          }
        },
      },
      { endpoint: fake.endpoint },
    );
    await turn();
    fake.deliver(call(1, "wait"));
    await turn();
    open = false;
    fake.deliver(call(2, "echo", ["lost"]));
    await until(() => fake.attempts.includes("fatal") && log.includes("wait:finally"));
    await turn();
    fake.deliver(call(3, "echo", ["after"]));
    await turn();
    // The result, its error, the error as text, then fatal once; the cancelled call's answer is tried
    // (in vain) and does not report fatal again; call 3 is not served.
    expect(fake.attempts).toEqual(["ready", "result", "error", "error", "fatal", "cancelled", "error", "error"]);
    expect(log).toEqual(["echo lost", "wait:finally"]);
  });

  it("an endpoint that refuses even the ready message: fatal is tried once, no unhandled rejection", async () => {
    const fake = refusingEndpoint(() => new Error("refuses everything"));
    defineWorker(
      {
        *echo(v: unknown) {
          return v;
        },
      },
      { endpoint: fake.endpoint },
    );
    await until(() => fake.attempts.includes("fatal"));
    await turn();
    fake.deliver(call(1, "echo", [1]));
    fake.deliver({ trioWorker: 1, kind: "hello" });
    await turn();
    expect(fake.attempts).toEqual(["ready", "fatal"]); // a worker done for answers nothing, not even hello
  });
});
