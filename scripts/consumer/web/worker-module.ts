// A worker module as an app writes one: what it bundles must not include the asyncio loop
// (consumer-check builds it unminified and looks for the classes by name).
import { checkpoint } from "trio-asyncio";
import { defineWorker } from "trio-asyncio/workers";

defineWorker({
  *parse(text: string) {
    yield* checkpoint();
    return text.length;
  },
});
