/**
 * A memory-channel send or receive stepped by hand (`g.next()`) and dropped
 * leaves its task in the channel's line while the task goes on, waits for
 * something else or ends. The channel's hand-overs must pass over it:
 * before, a send rescheduled a task that was not parked there (a
 * TrioInternalError blaming the library, in the sender's code), or ended
 * that task's other wait early with the value (lost), and a receive took a
 * dropped send's value. `return()` on an operation mid-wait takes its wait
 * back.
 */
import { describe, expect, it } from "vitest";
import { checkpoint, currentTime, openNursery, sleep } from "../../src/core/index.js";
import { openMemoryChannel } from "../../src/sync/index.js";
import { runKeep } from "../core/helpers.js";

describe("a channel operation stepped by hand and dropped", () => {
  it("a receive dropped by a task that then ends: the next send goes to the real receiver", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const got: number[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          rx.receive().next();
        });
        n.startSoon(function* () {
          got.push(yield* rx.receive());
        });
        yield* sleep(1);
        yield* tx.send(7);
      });
      return rx.statistics().tasksWaitingReceive;
    });
    expect(kept).toMatchObject({ ok: true, value: 0 });
    expect(got).toEqual([7]);
  });

  it("a receive dropped by a task that then sleeps: a send neither cuts the sleep short nor loses its value", async () => {
    const [tx, rx] = openMemoryChannel<number>(1);
    let slept = -1;
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          rx.receive().next();
          const t0 = currentTime();
          yield* sleep(10);
          slept = currentTime() - t0;
        });
        yield* sleep(1);
        yield* tx.send(7);
      });
      return rx.receiveNowait();
    });
    expect(kept).toMatchObject({ ok: true, value: 7 });
    expect(slept).toBe(10);
  });

  it("a send dropped by a task that then ends: a receive does not take its value, nor wake it", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const got: number[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          tx.send(1).next();
        });
        yield* sleep(1);
        n.startSoon(function* () {
          yield* tx.send(2);
        });
        got.push(yield* rx.receive());
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(got).toEqual([2]);
  });

  it("a send dropped by a task that then sleeps: its value is not received and its sleep runs its course", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    let slept = -1;
    let received: string = "nothing";
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          tx.send(7).next();
          const t0 = currentTime();
          yield* sleep(10);
          slept = currentTime() - t0;
        });
        yield* sleep(1);
        try {
          received = String(rx.receiveNowait());
        } catch (e) {
          received = (e as Error).name;
        }
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(received).toBe("WouldBlock");
    expect(slept).toBe(10);
  });

  it("return() on a receive mid-wait takes the wait back: a later send waits for a real receiver", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const record: string[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          const g = rx.receive();
          g.next();
          g.return(0);
          record.push(`waiting receivers ${rx.statistics().tasksWaitingReceive}`);
          yield* sleep(2);
          record.push(`then received ${yield* rx.receive()}`);
        });
        yield* sleep(1);
        yield* tx.send(5);
        record.push("sent");
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(record[0]).toBe("waiting receivers 0");
    expect(record.slice(1).sort()).toEqual(["sent", "then received 5"]);
  });

  it("closing the channel passes over dropped waits: no error in the closer's code", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          rx.receive().next();
        });
        yield* sleep(1);
        tx.close();
        rx.close();
      });
      return "closed";
    });
    expect(kept).toMatchObject({ ok: true, value: "closed" });
  });
});

describe("a channel operation stepped by hand and dropped leaves the line as soon as its task goes on", () => {
  it("statistics() no longer count it, and a receive after a dropped receive waits in line once", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const counts: number[] = [];
    const got: number[] = [];
    const kept = await runKeep(function* () {
      tx.send(1).next();
      counts.push(rx.statistics().tasksWaitingSend);
      yield* checkpoint();
      counts.push(rx.statistics().tasksWaitingSend);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          rx.receive().next();
          got.push(yield* rx.receive());
        });
        yield* sleep(1);
        counts.push(rx.statistics().tasksWaitingReceive);
        yield* tx.send(2);
      });
      return counts;
    });
    expect(kept).toMatchObject({ ok: true, value: [1, 0, 1] });
    expect(got).toEqual([2]);
  });
});
