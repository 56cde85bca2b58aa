/**
 * A fake HTTP server for the adoption tests of the bindings: requests are
 * Promises the test answers (or fails) by hand, and each request's
 * AbortSignal rejects it the way fetch does. It records which requests were
 * made, answered and aborted, and how many abort listeners are still on
 * signals, so a test can see a leaked or a doubled request.
 */

export interface FakeRequest {
  readonly url: string;
  readonly signal: AbortSignal;
  state: "open" | "answered" | "failed" | "aborted";
  answer(body: string): void;
  fail(error: Error): void;
}

export class FakeServer {
  readonly requests: FakeRequest[] = [];
  private listening = 0;

  /** A fetch-like call: resolves with the body the test answers; an abort rejects it with the signal's reason. */
  fetch = (url: string, signal: AbortSignal): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        request.state = "aborted";
        done();
        reject(signal.reason);
      };
      const done = () => {
        signal.removeEventListener("abort", onAbort);
        this.listening--;
      };
      const request: FakeRequest = {
        url,
        signal,
        state: "open",
        answer: (body) => {
          if (request.state !== "open") return;
          request.state = "answered";
          done();
          resolve(body);
        },
        fail: (error) => {
          if (request.state !== "open") return;
          request.state = "failed";
          done();
          reject(error);
        },
      };
      this.requests.push(request);
      if (signal.aborted) {
        request.state = "aborted";
        reject(signal.reason);
        return;
      }
      this.listening++;
      signal.addEventListener("abort", onAbort);
    });

  /** The URLs requested, in order. */
  get urls(): string[] {
    return this.requests.map((r) => r.url);
  }

  /** Requests neither answered, failed nor aborted. */
  get open(): FakeRequest[] {
    return this.requests.filter((r) => r.state === "open");
  }

  /** Abort listeners still registered on request signals. */
  get abortListeners(): number {
    return this.listening;
  }

  /** The latest open request for `url`; throws if there is none. */
  latest(url: string): FakeRequest {
    const r = this.open.filter((q) => q.url === url).at(-1);
    if (r === undefined) throw new Error(`no open request for ${url}; open: ${this.open.map((q) => q.url).join(", ")}`);
    return r;
  }
}
