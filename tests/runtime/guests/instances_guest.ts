// A guest for many instances of one compiled module at once (instances_test.cpp). Its start
// does nothing; the host calls the exports. Each returns 0, or step * 100 + the client's
// status, so a failure names where it happened.
import {
  DaprClient, Transport, DaprStatus, TransactionOperation,
} from "../../../sdk/assemblyscript/assembly/index";

const STORE = "statestore";
const COUNTER = "counter";
let conflictsSeen = 0;

function client(http: bool): DaprClient {
  if (!http) return new DaprClient(Transport.Direct);
  const port = process.env.has("DAPR_HTTP_PORT") ? process.env.get("DAPR_HTTP_PORT") : "3500";
  return new DaprClient(Transport.Http, "http://127.0.0.1:" + port);
}

function failed(step: i32, c: DaprClient): i32 {
  return step * 100 + <i32>c.lastStatus + (c.lastStatus == 0 ? 99 : 0);
}

/** Keys of its own, written and read across both paths, `rounds` times. */
export function work(id: i32, rounds: i32): i32 {
  const direct = client(false);
  const http = client(true);
  for (let r = 0; r < rounds; r++) {
    const k = "i" + id.toString() + "-r" + r.toString();
    const v = "{\"id\":" + id.toString() + ",\"round\":" + r.toString() + ",\"pad\":\"" +
      "x".repeat(r * 10) + "\"}";
    if (!direct.saveState(STORE, k, v)) return failed(1, direct);
    const viaHttp = http.getState(STORE, k);
    if (viaHttp == null || viaHttp != v) return failed(2, http);
    if (!http.saveState(STORE, k + "-h", v)) return failed(3, http);
    const viaAbi = direct.getState(STORE, k + "-h");
    if (viaAbi == null || viaAbi != v) return failed(4, direct);
    if (!direct.transaction(STORE, [TransactionOperation.delete(k),
      TransactionOperation.upsert(k + "-t", "[" + id.toString() + "]")])) {
      return failed(5, direct);
    }
    if (http.getState(STORE, k) != null || http.lastStatus != DaprStatus.NOT_FOUND) {
      return failed(6, http);
    }
    const tx = http.getState(STORE, k + "-t");
    if (tx == null || tx != "[" + id.toString() + "]") return failed(7, http);
  }
  return 0;
}

/**
 * Adds 1 to the shared counter `times` times with optimistic concurrency: read value and etag,
 * write value + 1 with that etag, start again on a conflict. Over HTTP when `http` is non-zero.
 * The counter must exist before.
 */
export function increment(times: i32, http: i32): i32 {
  const c = client(http != 0);
  for (let i = 0; i < times; i++) {
    while (true) {
      const items = c.getBulkState(STORE, [COUNTER]);
      if (items.length != 1 || !items[0].found) return failed(10, c);
      const next = I32.parseInt(items[0].value) + 1;
      if (c.saveState(STORE, COUNTER, next.toString(), items[0].etag)) break;
      if (c.lastStatus != DaprStatus.ETAG_MISMATCH) return failed(11, c);
      conflictsSeen++;
    }
  }
  return 0;
}

/** How many of this instance's increments met a conflict and started again. */
export function conflicts(): i32 {
  return conflictsSeen;
}

/** The counter's value, or -1. */
export function counter(): i32 {
  const value = client(false).getState(STORE, COUNTER);
  return value == null ? -1 : I32.parseInt(value);
}

export function setCounter(value: i32): i32 {
  const c = client(false);
  return c.saveState(STORE, COUNTER, value.toString()) ? 0 : <i32>c.lastStatus;
}

/** The direct ABI's status for reading `probe` (0 found, 1 not found, 9 unavailable, ...). */
export function probe(): i32 {
  const c = client(false);
  c.getState(STORE, "probe");
  return <i32>c.lastStatus;
}

/** The same over HTTP: the response status (0 when no response). */
export function probeHttp(): i32 {
  const c = client(true);
  c.getState(STORE, "probe");
  return <i32>c.lastHttpStatus;
}
