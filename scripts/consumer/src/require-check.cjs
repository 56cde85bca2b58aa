// CommonJS consumers: Node >= 20.19 loads the ES modules through require().
/* global require, console */
/* eslint-disable @typescript-eslint/no-require-imports -- this file checks require() itself */
const trio = require("trio-asyncio");
const { MockClock } = require("trio-asyncio/testing");

trio
  .runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    yield* trio.sleep(10);
    return trio.currentTime();
  })
  .then((now) => {
    if (now < 10) throw new Error(`require: the run ended at ${now}, before its sleep`);
    console.log("node: require() ok");
  });
