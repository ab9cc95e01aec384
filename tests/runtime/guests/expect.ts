// Checks for the runtime test guests: each failed check prints one `FAIL:` line, and finish()
// prints the tally and exits 1 when anything failed, so the test driver needs only the exit
// status and the output.
import { Span } from "../../../sdk/assemblyscript/assembly/bytes";

let checks = 0;
let failures = 0;

export function expect(ok: bool, what: string): bool {
  checks++;
  if (!ok) {
    failures++;
    console.log("FAIL: " + what);
  }
  return ok;
}

export function expectCode(got: u32, want: u32, what: string): bool {
  return expect(got == want, what + ": code " + got.toString() + ", expected " + want.toString());
}

export function expectText(got: string | null, want: string, what: string): bool {
  if (got == null) return expect(false, what + ": null, expected " + shorten(want));
  return expect(got == want, what + ": " + shorten(got) + ", expected " + shorten(want));
}

export function expectNumber(got: i64, want: i64, what: string): bool {
  return expect(got == want, what + ": " + got.toString() + ", expected " + want.toString());
}

/** Prints the tally; exits 1 when a check failed. */
export function finish(group: string): void {
  if (failures > 0) {
    console.log(group + ": " + failures.toString() + " of " + checks.toString() + " checks failed");
    process.exit(1);
  }
  console.log(group + ": " + checks.toString() + " checks passed");
}

/** The test group named by the first guest argument. */
export function group(): string {
  return process.argv.length > 1 ? process.argv[1] : "";
}

export function env(name: string): string {
  return process.env.has(name) ? process.env.get(name) : "";
}

function shorten(s: string): string {
  return s.length <= 120 ? s : s.substring(0, 100) + "...(" + s.length.toString() + " chars)";
}

/** `n` bytes of a repeating a..z pattern, as the test HTTP server's /bytes/N sends. */
export function pattern(n: i32): string {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = <u8>(0x61 + i % 26);
  return String.UTF8.decode(b.buffer);
}

/** Bytes past the end of the guest's memory start here. */
export function memoryEnd(): usize {
  return <usize>memory.size() << 16;
}

export function span(s: string): Span {
  return Span.str(s);
}
