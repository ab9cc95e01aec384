// State flows over both guest paths at once, as one app would use them: what is written over
// the Dapr HTTP API (wasi_experimental_http to the in-process sidecar) is read over the direct
// `dapr` ABI and the other way round, for single keys, bulk, etags, transactions, deletes and
// 1 MiB values. The test driver runs it against each kind of state store; the store is
// "statestore" and the first argument names the run, so keys never collide across runs.
import * as http from "../../../sdk/assemblyscript/assembly/http_abi";
import {
  DaprClient, Transport, DaprStatus, StateItem, TransactionOperation, RequestBuilder, Method,
} from "../../../sdk/assemblyscript/assembly/index";
import { expect, expectCode, expectText, expectNumber, finish, group, env } from "./expect";

const STORE = "statestore";
const DAPR = "http://127.0.0.1:" + env("DAPR_HTTP_PORT");
const WRITTEN = memory.data(8);

const run = group();
const viaHttp = new DaprClient(Transport.Http, DAPR);
const direct = new DaprClient(Transport.Direct);

function key(name: string): string {
  return run + "-" + name;
}

/** A JSON string literal of `n` characters, built without quadratic concatenation. */
function bigJson(n: i32, seed: i32): string {
  const b = new Uint8Array(n + 2);
  b[0] = 0x22;
  for (let i = 0; i < n; i++) b[i + 1] = <u8>(0x41 + (i * 7 + seed) % 58 % 26);
  b[n + 1] = 0x22;
  return String.UTF8.decode(b.buffer);
}

/** The raw HTTP GET of a key, its body read `chunk` bytes per body_read call. */
class RawGet {
  constructor(public status: u16, public etag: string, public body: string, public reads: i32) {}
}

function rawGet(k: string, chunk: i32): RawGet {
  const res = new RequestBuilder(DAPR + "/v1.0/state/" + STORE + "/" + k).send();
  if (res == null) {
    expect(false, "GET " + k + " failed");
    return new RawGet(0, "", "", 0);
  }
  const etag = res.headerGet("etag");
  const buf = new Uint8Array(chunk);
  const parts = new Array<Uint8Array>();
  let total = 0;
  let reads = 0;
  while (http.body_read(res.handle, buf.dataStart, chunk, WRITTEN) == 0) {
    const n = <i32>load<u32>(WRITTEN);
    if (n == 0) break;
    parts.push(buf.slice(0, n));
    total += n;
    reads++;
  }
  res.close();
  const all = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    all.set(parts[i], at);
    at += parts[i].length;
  }
  return new RawGet(res.status, etag != null ? etag : "", String.UTF8.decode(all.buffer), reads);
}

function singleKeys(): void {
  const WEAPON = "\"Death Star\"";
  expect(viaHttp.saveState(STORE, key("weapon"), WEAPON), "HTTP save");
  expectText(direct.getState(STORE, key("weapon")), WEAPON, "direct read of an HTTP save");
  expectText(viaHttp.getState(STORE, key("weapon")), WEAPON, "HTTP read of an HTTP save");

  const SHIP = "{\"name\":\"Millennium Falcon\",\"parsecs\":12}";
  expect(direct.saveState(STORE, key("ship"), SHIP), "direct save");
  expectText(viaHttp.getState(STORE, key("ship")), SHIP, "HTTP read of a direct save");

  // A key that needs escaping in a URL is the same key on both paths.
  const odd = key("naïve key/with ?&#%");
  expect(direct.saveState(STORE, odd, "\"odd\""), "direct save of an odd key");
  expectText(viaHttp.getState(STORE, odd), "\"odd\"", "HTTP read of an odd key");
  expect(viaHttp.deleteState(STORE, odd), "HTTP delete of an odd key");
  expect(direct.getState(STORE, odd) == null, "the odd key is gone");

  // So is a key that needs escaping in JSON (the HTTP save sends it in a JSON body).
  const quoted = key("say \"hi\"\\ \t\u0001 ✓");
  expect(viaHttp.saveState(STORE, quoted, "\"quoted\""), "HTTP save of a key with quotes");
  expectText(direct.getState(STORE, quoted), "\"quoted\"", "direct read of a key with quotes");
  expect(direct.deleteState(STORE, quoted), "direct delete of a key with quotes");

  // Missing keys and unknown stores look alike on both paths.
  expect(viaHttp.getState(STORE, key("nothing")) == null, "HTTP read of a missing key");
  expectCode(viaHttp.lastStatus, DaprStatus.NOT_FOUND, "HTTP status of a missing key");
  expect(direct.getState(STORE, key("nothing")) == null, "direct read of a missing key");
  expectCode(direct.lastStatus, DaprStatus.NOT_FOUND, "direct status of a missing key");
  expect(viaHttp.getState("nostore", key("weapon")) == null, "HTTP read from an unknown store");
  expectCode(viaHttp.lastStatus, DaprStatus.COMPONENT_NOT_FOUND, "HTTP: unknown store");
  expect(!viaHttp.saveState("nostore", key("weapon"), "1"), "HTTP save to an unknown store");
  expectCode(viaHttp.lastStatus, DaprStatus.COMPONENT_NOT_FOUND, "HTTP: unknown store on save");
}

function bulk(): void {
  const items = [
    new StateItem(key("planets"), "{\"name\":\"Tatooine\",\"test\":123}"),
    new StateItem(key("droid"), "\"R2-D2\""),
    new StateItem(key("count"), "42"),
  ];
  expect(viaHttp.saveBulkState(STORE, items), "HTTP bulk save");
  const got = direct.getBulkState(STORE, [key("planets"), key("missing"), key("droid"),
    key("count")]);
  expectNumber(got.length, 4, "direct bulk read count");
  if (got.length == 4) {
    expectText(got[0].value, items[0].value, "bulk planets");
    expect(got[0].found && got[0].key == key("planets"), "bulk planets found, key unprefixed");
    expect(!got[1].found, "bulk missing key");
    expectText(got[2].value, items[1].value, "bulk droid");
    expectText(got[3].value, items[2].value, "bulk count");
  }
  expect(direct.saveBulkState(STORE, [new StateItem(key("a"), "1"), new StateItem(key("b"), "2")]),
    "direct bulk save");
  const back = viaHttp.getBulkState(STORE, [key("a"), key("b"), key("c")]);
  expectNumber(back.length, 3, "HTTP bulk read count");
  if (back.length == 3) {
    expect(back[0].found && back[0].value == "1" && back[1].found && back[1].value == "2" &&
           !back[2].found, "HTTP bulk read of a direct bulk save");
  }
}

function etags(): void {
  const k = key("versioned");
  expect(direct.saveState(STORE, k, "1"), "first version");
  const first = rawGet(k, 64);
  expect(first.etag.length > 0, "HTTP GET carries an etag");
  const viaAbi = direct.getBulkState(STORE, [k]);
  expect(viaAbi.length == 1 && viaAbi[0].etag == first.etag, "both paths see the same etag");
  // A write with the current etag over one path makes it stale on the other.
  expect(viaHttp.saveState(STORE, k, "2", first.etag), "HTTP write with the current etag");
  expect(!direct.saveState(STORE, k, "3", first.etag), "direct write with the stale etag");
  expectCode(direct.lastStatus, DaprStatus.ETAG_MISMATCH, "direct: etag mismatch");
  const second = direct.getBulkState(STORE, [k])[0].etag;
  expect(second != first.etag, "the etag changed");
  expect(direct.saveState(STORE, k, "3", second), "direct write with the current etag");
  expect(!viaHttp.saveState(STORE, k, "4", second), "HTTP write with the stale etag");
  expectCode(viaHttp.lastStatus, DaprStatus.ETAG_MISMATCH, "HTTP: etag mismatch");
  expect(!viaHttp.deleteState(STORE, k, second), "HTTP delete with the stale etag");
  expectCode(viaHttp.lastStatus, DaprStatus.ETAG_MISMATCH, "HTTP delete: etag mismatch");
  expectText(direct.getState(STORE, k), "3", "conflicting writes changed nothing");
  const third = rawGet(k, 64).etag;
  expect(viaHttp.deleteState(STORE, k, third), "HTTP delete with the current etag");
  expect(direct.getState(STORE, k) == null, "deleted");
}

function transactions(): void {
  expect(direct.saveState(STORE, key("t-old"), "\"old\""), "setup");
  expect(viaHttp.transaction(STORE, [
    TransactionOperation.upsert(key("t-one"), "1"),
    TransactionOperation.upsert(key("t-two"), "{\"two\":2}"),
    TransactionOperation.delete(key("t-old")),
  ]), "HTTP transaction");
  expectText(direct.getState(STORE, key("t-one")), "1", "direct read of an HTTP transaction");
  expectText(direct.getState(STORE, key("t-two")), "{\"two\":2}", "second upsert");
  expect(direct.getState(STORE, key("t-old")) == null, "the HTTP transaction's delete");
  expect(direct.transaction(STORE, [
    TransactionOperation.delete(key("t-one")),
    TransactionOperation.upsert(key("t-three"), "[3]"),
  ]), "direct transaction");
  expect(viaHttp.getState(STORE, key("t-one")) == null, "HTTP read of a direct delete");
  expectText(viaHttp.getState(STORE, key("t-three")), "[3]", "HTTP read of a direct upsert");
  // All or nothing: a stale etag in the middle stops the whole transaction on either path.
  const etag = direct.getBulkState(STORE, [key("t-two")])[0].etag;
  expect(direct.saveState(STORE, key("t-two"), "0"), "make the etag stale");
  expect(!direct.transaction(STORE, [
    TransactionOperation.upsert(key("t-four"), "4"),
    TransactionOperation.upsert(key("t-two"), "5", etag),
  ]), "direct transaction with a stale etag");
  expectCode(direct.lastStatus, DaprStatus.ETAG_MISMATCH, "direct transaction status");
  expect(!viaHttp.transaction(STORE, [
    TransactionOperation.upsert(key("t-four"), "4"),
    TransactionOperation.delete(key("t-two"), etag),
  ]), "HTTP transaction with a stale etag");
  expect(direct.getState(STORE, key("t-four")) == null, "failed transactions applied nothing");
  expectText(viaHttp.getState(STORE, key("t-two")), "0", "the stale etag's key is unchanged");
}

function deletes(): void {
  expect(viaHttp.saveState(STORE, key("d1"), "1") && viaHttp.saveState(STORE, key("d2"), "2"),
    "setup");
  expect(direct.deleteState(STORE, key("d1")), "direct delete of an HTTP save");
  expect(viaHttp.getState(STORE, key("d1")) == null, "HTTP sees the direct delete");
  expect(viaHttp.deleteState(STORE, key("d2")), "HTTP delete");
  expect(direct.getState(STORE, key("d2")) == null, "direct sees the HTTP delete");
  expect(viaHttp.deleteState(STORE, key("never")), "HTTP delete of a missing key");
  expect(direct.deleteState(STORE, key("never")), "direct delete of a missing key");
}

function largeValues(): void {
  const MIB = 1 << 20;
  // 1 MiB saved over HTTP, read over the direct ABI (its buffer grows to the size announced).
  const up = bigJson(MIB - 2, 1);
  expectNumber(up.length, MIB, "the first large value's size");
  expect(viaHttp.saveState(STORE, key("big-up"), up), "HTTP save of 1 MiB");
  const viaAbi = direct.getState(STORE, key("big-up"));
  expect(viaAbi != null && viaAbi.length == MIB, "direct read of 1 MiB has its size");
  expect(viaAbi == up, "direct read of 1 MiB saved over HTTP is intact");
  // 1 MiB saved over the direct ABI, read over HTTP in 4 KiB and in 1000-byte body reads.
  const down = bigJson(MIB - 2, 2);
  expect(direct.saveState(STORE, key("big-down"), down), "direct save of 1 MiB");
  const chunks = rawGet(key("big-down"), 4096);
  expectNumber(chunks.status, 200, "HTTP GET of 1 MiB");
  expectNumber(chunks.reads, MIB / 4096, "4 KiB reads of a 1 MiB body");
  expect(chunks.body == down, "HTTP read of 1 MiB saved directly is intact");
  const small = rawGet(key("big-down"), 1000);
  expectNumber(small.reads, (MIB + 999) / 1000, "1000-byte reads of a 1 MiB body");
  expect(small.body == down, "1000-byte reads reassemble the value");
  expect(viaHttp.getState(STORE, key("big-down")) == down, "the client's HTTP read of 1 MiB");
  // And one above the first's size through the transaction path.
  const tx = bigJson(MIB + 1000, 3);
  expect(viaHttp.transaction(STORE, [TransactionOperation.upsert(key("big-tx"), tx)]),
    "HTTP transaction of 1 MiB");
  expect(direct.getState(STORE, key("big-tx")) == tx, "direct read of the transaction's value");
  expect(direct.deleteState(STORE, key("big-up")) && direct.deleteState(STORE, key("big-down")) &&
         direct.deleteState(STORE, key("big-tx")), "delete the large values");
}

function metadataAndHealth(): void {
  const res = new RequestBuilder(DAPR + "/v1.0/metadata").method(Method.GET).send();
  if (expect(res != null, "GET /v1.0/metadata")) {
    expectNumber(res!.status, 200, "metadata status");
    const body = res!.bodyText();
    expect(body.includes("\"statestore\""), "metadata lists the store: " + body);
    expect(body.includes("\"" + env("APP_ID") + "\""), "metadata names the app id");
    res!.close();
  }
}

singleKeys();
bulk();
etags();
transactions();
deletes();
largeValues();
metadataAndHealth();
finish("state " + run);
