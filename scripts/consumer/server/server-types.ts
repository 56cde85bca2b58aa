/**
 * Server code (a Node backend, the server half of Next.js or Remix): its
 * TypeScript has no DOM in `lib`, only @types/node. The entries a server
 * imports must type-check there (skipLibCheck off). Not the React entry:
 * @types/react declares empty DOM interfaces (Element, ...) itself, which
 * would hide a DOM type in our declarations. Only type-checked.
 */
import { run, sleep, inspector, asyncio, type Operation } from "trio-asyncio";
import { gather } from "trio-asyncio/asyncio";
import { MockClock } from "trio-asyncio/testing";

function* work(): Operation<number> {
  yield* sleep(0);
  return 1;
}

export async function serve(): Promise<unknown> {
  const one: number = await run(work);
  const both = await asyncio.run(
    (function* () {
      return yield* gather(asyncio.sleep(0, 1), asyncio.sleep(0, 2));
    })(),
  );
  const clock = new MockClock();
  // Without the DOM lib the element is typed as an object.
  const element: object | null = inspector.elementOf(0);
  return [one, both, clock, element];
}
