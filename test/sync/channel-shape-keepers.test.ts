/**
 * The detached channel the sync layer keeps from the first channel on, so
 * that V8's optimized code for channels survives a full GC (channel.ts,
 * keepShapes): it takes no handle ids, is never used, and holds nothing of
 * the user's.
 */
import { describe, expect, it } from "vitest";
import { openMemoryChannel, run } from "../../src/index.js";
import { channelShapeKeepersNow } from "../../src/sync/channel.js";
import { MemoryReceiveChannel, MemorySendChannel } from "../../src/sync/channel.js";

describe("channel shape keepers", () => {
  it("exist once a channel was opened, take no handle ids, and hold nothing sent", async () => {
    const [tx1, rx1] = openMemoryChannel<{ secret: boolean }>(1);
    const kept = channelShapeKeepersNow();
    expect(kept.some((o) => o instanceof MemorySendChannel)).toBe(true);
    expect(kept.some((o) => o instanceof MemoryReceiveChannel)).toBe(true);
    const [tx2, rx2] = openMemoryChannel<number>(0);
    // The next channel numbers on from the last one: the keepers' ends took no ids.
    expect([tx2.id, rx2.id]).toEqual([rx1.id + 1, rx1.id + 2]);
    expect(tx1.id).toBe(rx1.id - 1);
    await run(function* () {
      yield* tx1.send({ secret: true });
      expect((yield* rx1.receive()).secret).toBe(true);
    });
    for (const o of channelShapeKeepersNow()) {
      if (o instanceof MemoryReceiveChannel) expect(o.statistics().currentBufferUsed).toBe(0);
      if (o instanceof MemorySendChannel) expect(o.statistics().tasksWaitingSend).toBe(0);
    }
  });
});
