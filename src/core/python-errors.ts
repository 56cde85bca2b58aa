/**
 * Python's builtin errors that ported code catches by name, where no
 * JavaScript error says the same thing. Each extends the JavaScript error
 * closest to it, so plain JavaScript checks catch it too.
 */

/**
 * Python's ValueError: a value of the right type that cannot be used
 * (`Queue.taskDone()` called too often, a token given to the wrong
 * `ContextVar.reset`). It is a RangeError.
 */
export class ValueError extends RangeError {
  override get name(): string {
    return "ValueError";
  }
}

/** Python's LookupError: a variable with no value here and no default (`RunVar.get()`). */
export class LookupError extends Error {
  override get name(): string {
    return "LookupError";
  }
}
