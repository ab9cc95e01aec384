// Every function and every guest-reachable error code of the direct `dapr` ABI, called raw and
// through the SDK's DaprClient by an AssemblyScript guest that `wasmdapr run` runs. The first
// argument names the group; the store is "statestore".
import * as dapr from "../../../sdk/assemblyscript/assembly/dapr_abi";
import { Span, ListWriter, ListReader } from "../../../sdk/assemblyscript/assembly/bytes";
import {
  DaprClient, DaprStatus, StateItem, TransactionOperation,
} from "../../../sdk/assemblyscript/assembly/index";
import { expect, expectCode, expectText, expectNumber, finish, group, memoryEnd } from "./expect";

const STORE = "statestore";
const LEN_OUT = memory.data(8);
const UNTOUCHED: u32 = 0xabababab;

function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

function decode(b: Uint8Array, len: i32): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>len);
}

// ---- raw calls: every one returns the code; results land in `got` -----------------------------

let got = "";

function get(name: string, key: string, cap: i32 = 4096, etag: bool = false): u32 {
  const s = Span.str(name), k = Span.str(key);
  const buf = new Uint8Array(cap);
  store<u32>(LEN_OUT, UNTOUCHED);
  const code = etag
    ? dapr.state_get_etag(s.ptr, s.len, k.ptr, k.len, buf.dataStart, cap, LEN_OUT)
    : dapr.state_get(s.ptr, s.len, k.ptr, k.len, buf.dataStart, cap, LEN_OUT);
  got = code == 0 ? decode(buf, <i32>load<u32>(LEN_OUT)) : "";
  return code;
}

function getEtag(key: string): string {
  expectCode(get(STORE, key, 256, true), DaprStatus.OK, "etag of " + key);
  return got;
}

function setBytes(store: string, key: string, value: Uint8Array, etag: string = ""): u32 {
  const s = Span.str(store), k = Span.str(key), e = Span.str(etag);
  return dapr.state_set(s.ptr, s.len, k.ptr, k.len, value.dataStart, value.length, e.ptr, e.len);
}

function set(store: string, key: string, value: string, etag: string = ""): u32 {
  return setBytes(store, key, utf8(value), etag);
}

function del(store: string, key: string, etag: string = ""): u32 {
  const s = Span.str(store), k = Span.str(key), e = Span.str(etag);
  return dapr.state_delete(s.ptr, s.len, k.ptr, k.len, e.ptr, e.len);
}

function keyList(keys: string[]): Uint8Array {
  const w = new ListWriter().u32(<u32>keys.length);
  for (let i = 0; i < keys.length; i++) w.str(keys[i]);
  return w.finish();
}

let bulk = new Uint8Array(0);

function getBulkEncoded(name: string, encoded: Uint8Array, cap: i32 = 4096): u32 {
  const s = Span.str(name);
  const buf = new Uint8Array(cap);
  store<u32>(LEN_OUT, UNTOUCHED);
  const code = dapr.state_get_bulk(s.ptr, s.len, encoded.dataStart, encoded.length,
    buf.dataStart, cap, LEN_OUT);
  bulk = code == 0 ? buf.slice(0, <i32>load<u32>(LEN_OUT)) : new Uint8Array(0);
  return code;
}

function transactEncoded(store: string, encoded: Uint8Array): u32 {
  const s = Span.str(store);
  return dapr.state_transaction(s.ptr, s.len, encoded.dataStart, encoded.length);
}

/** ops: [kind, key, value, etag] quadruples. */
function transaction(ops: string[][]): Uint8Array {
  const w = new ListWriter().u32(<u32>ops.length);
  for (let i = 0; i < ops.length; i++) {
    w.u32(ops[i][0] == "delete" ? 1 : 0).str(ops[i][1]).str(ops[i][2]).str(ops[i][3]);
  }
  return w.finish();
}

// ---- every function ---------------------------------------------------------------------------

function functions(): void {
  const ALPHA = "{\"n\":1,\"name\":\"alpha\"}";
  expectCode(set(STORE, "alpha", ALPHA), DaprStatus.OK, "state_set");
  expectCode(get(STORE, "alpha"), DaprStatus.OK, "state_get");
  expectText(got, ALPHA, "state_get value");
  expectNumber(load<u32>(LEN_OUT), String.UTF8.byteLength(ALPHA), "state_get length");
  const etag1 = getEtag("alpha");
  expect(etag1.length > 0, "state_get_etag gives an etag");
  expectCode(set(STORE, "alpha", "2", etag1), DaprStatus.OK, "state_set with the current etag");
  const etag2 = getEtag("alpha");
  expect(etag2 != etag1, "a write changes the etag");
  expectCode(get(STORE, "alpha"), DaprStatus.OK, "state_get after a conditional write");
  expectText(got, "2", "value after a conditional write");

  // Values are raw bytes, returned unchanged: every byte value, and the empty value.
  const binary = new Uint8Array(256);
  for (let i = 0; i < 256; i++) binary[i] = <u8>i;
  expectCode(setBytes(STORE, "binary", binary), DaprStatus.OK, "state_set of binary bytes");
  const back = new Uint8Array(256);
  const s = Span.str(STORE), k = Span.str("binary");
  expectCode(dapr.state_get(s.ptr, s.len, k.ptr, k.len, back.dataStart, 256, LEN_OUT),
    DaprStatus.OK, "state_get of binary bytes");
  let same = load<u32>(LEN_OUT) == 256;
  for (let i = 0; i < 256; i++) same = same && back[i] == <u8>i;
  expect(same, "binary bytes come back unchanged");
  expectCode(set(STORE, "empty", ""), DaprStatus.OK, "state_set of an empty value");
  expectCode(get(STORE, "empty"), DaprStatus.OK, "state_get of an empty value");
  expectNumber(load<u32>(LEN_OUT), 0, "the empty value's length");
  const UNICODE = "\"clé ünïcødé ✓ 🚀\"";
  expectCode(set(STORE, "naïve key ✓", UNICODE), DaprStatus.OK, "a UTF-8 key");
  expectCode(get(STORE, "naïve key ✓"), DaprStatus.OK, "state_get of a UTF-8 key");
  expectText(got, UNICODE, "a UTF-8 value");

  // Bulk get: found and missing keys, in order, with values and etags.
  expectCode(getBulkEncoded(STORE, keyList(["alpha", "missing", "empty"])), DaprStatus.OK,
    "state_get_bulk");
  const r = new ListReader(bulk);
  expectNumber(r.u32(), 3, "bulk result count");
  expectText(r.str(), "alpha", "bulk key 1");
  expectNumber(r.u32(), 1, "bulk key 1 found");
  expectText(r.str(), "2", "bulk value 1");
  expectText(r.str(), etag2, "bulk etag 1");
  expectText(r.str(), "missing", "bulk key 2");
  expectNumber(r.u32(), 0, "bulk key 2 not found");
  expectText(r.str(), "", "bulk value 2 empty");
  expectText(r.str(), "", "bulk etag 2 empty");
  expectText(r.str(), "empty", "bulk key 3");
  expectNumber(r.u32(), 1, "bulk key 3 found");
  expectText(r.str(), "", "bulk value 3");
  expect(r.str().length > 0, "bulk etag 3");
  expectCode(getBulkEncoded(STORE, keyList([])), DaprStatus.OK, "state_get_bulk of no keys");
  expectNumber(new ListReader(bulk).u32(), 0, "an empty bulk result");

  // A transaction: upserts and deletes, applied together, etags honoured.
  expectCode(transactEncoded(STORE, transaction([
    ["upsert", "beta", "\"b\"", ""],
    ["upsert", "gamma", "\"g\"", ""],
    ["delete", "alpha", "", etag2],
  ])), DaprStatus.OK, "state_transaction");
  expectCode(get(STORE, "alpha"), DaprStatus.NOT_FOUND, "deleted by the transaction");
  expectCode(get(STORE, "beta"), DaprStatus.OK, "written by the transaction");
  expectText(got, "\"b\"", "beta");
  expectCode(transactEncoded(STORE, transaction([])), DaprStatus.OK, "an empty transaction");

  // Delete, unconditional and conditional; deleting a missing key is not an error.
  expectCode(del(STORE, "beta"), DaprStatus.OK, "state_delete");
  expectCode(get(STORE, "beta"), DaprStatus.NOT_FOUND, "gone after state_delete");
  expectCode(del(STORE, "gamma", getEtag("gamma")), DaprStatus.OK, "state_delete with the etag");
  expectCode(get(STORE, "gamma"), DaprStatus.NOT_FOUND, "gone after a conditional delete");
  expectCode(del(STORE, "never-there"), DaprStatus.OK, "state_delete of a missing key");

  // The same through the SDK's client (direct transport).
  const client = new DaprClient();
  expect(client.saveState(STORE, "weapon", "\"Death Star\""), "saveState");
  expect(client.saveBulkState(STORE, [new StateItem("planets", "{\"name\":\"Tatooine\"}"),
    new StateItem("moons", "[1,2]")]), "saveBulkState");
  expectText(client.getState(STORE, "weapon"), "\"Death Star\"", "getState");
  const items = client.getBulkState(STORE, ["planets", "nope", "moons"]);
  expectNumber(items.length, 3, "getBulkState count");
  if (items.length == 3) {
    expect(items[0].found && items[0].value == "{\"name\":\"Tatooine\"}" && items[0].etag.length > 0,
      "getBulkState planets");
    expect(!items[1].found && items[1].key == "nope", "getBulkState missing key");
    expect(items[2].found && items[2].value == "[1,2]", "getBulkState moons");
  }
  expect(client.transaction(STORE, [TransactionOperation.upsert("weapon", "\"X-wing\""),
    TransactionOperation.delete("moons")]), "transaction");
  expectText(client.getState(STORE, "weapon"), "\"X-wing\"", "getState after transaction");
  expect(client.getState(STORE, "moons") == null, "getState of a deleted key is null");
  expectCode(client.lastStatus, DaprStatus.NOT_FOUND, "lastStatus of a missing key");
  expect(client.deleteState(STORE, "weapon"), "deleteState");
  expect(client.getState(STORE, "weapon") == null, "deleteState removed the key");
  // A value larger than the client's first buffer: it asks again with the size the host gave.
  const large = "\"" + "x".repeat(5000) + "\"";
  expect(client.saveState(STORE, "large", large), "saveState of 5 kB");
  expectText(client.getState(STORE, "large"), large, "getState of 5 kB");
}

// ---- every error code a guest can reach -------------------------------------------------------
// Not here: `unavailable` needs a backend that goes away (instances_test.cpp stops Redis);
// `memory_not_found` a guest without memory (the WAT guests of tests/hostabi); `not_supported`
// and `internal` a store without transactions or a failing one, and no store here is either.

function errors(): void {
  // not_found: nothing is written but the code.
  expectCode(get(STORE, "missing"), DaprStatus.NOT_FOUND, "state_get of a missing key");
  expectNumber(load<u32>(LEN_OUT), UNTOUCHED, "not_found writes no length");
  expectCode(get(STORE, "missing", 64, true), DaprStatus.NOT_FOUND,
    "state_get_etag of a missing key");

  // buffer_too_small: the length is written, the buffer is not; asking again succeeds.
  const VALUE = "{\"padding\":\"" + "p".repeat(300) + "\"}";
  const size = String.UTF8.byteLength(VALUE);
  expectCode(set(STORE, "wide", VALUE), DaprStatus.OK, "state_set of a wide value");
  const s = Span.str(STORE), k = Span.str("wide");
  const small = new Uint8Array(16);
  small.fill(0x5a);
  expectCode(dapr.state_get(s.ptr, s.len, k.ptr, k.len, small.dataStart, 16, LEN_OUT),
    DaprStatus.BUFFER_TOO_SMALL, "state_get into 16 bytes");
  expectNumber(load<u32>(LEN_OUT), size, "buffer_too_small reports the size needed");
  let untouched = true;
  for (let i = 0; i < 16; i++) untouched = untouched && small[i] == 0x5a;
  expect(untouched, "buffer_too_small leaves the buffer alone");
  expectCode(get(STORE, "wide", size - 1), DaprStatus.BUFFER_TOO_SMALL, "one byte short");
  expectCode(get(STORE, "wide", size), DaprStatus.OK, "asked again with the size given");
  expectText(got, VALUE, "the value after asking again");
  expectCode(get(STORE, "wide", 0, true), DaprStatus.BUFFER_TOO_SMALL,
    "state_get_etag into 0 bytes");
  const etagSize = load<u32>(LEN_OUT);
  expectCode(get(STORE, "wide", <i32>etagSize, true), DaprStatus.OK,
    "state_get_etag with the size given");
  const keys = keyList(["wide"]);
  expectCode(getBulkEncoded(STORE, keys, 8), DaprStatus.BUFFER_TOO_SMALL,
    "state_get_bulk into 8 bytes");
  const bulkSize = <i32>load<u32>(LEN_OUT);
  expectCode(getBulkEncoded(STORE, keys, bulkSize), DaprStatus.OK,
    "state_get_bulk with the size given");
  expectNumber(bulk.length, bulkSize, "the bulk result has the size announced");

  // component_not_found, from every function.
  const NOSTORE = "nostore";
  expectCode(get(NOSTORE, "wide"), DaprStatus.COMPONENT_NOT_FOUND, "state_get");
  expectCode(get(NOSTORE, "wide", 64, true), DaprStatus.COMPONENT_NOT_FOUND, "state_get_etag");
  expectCode(set(NOSTORE, "wide", "1"), DaprStatus.COMPONENT_NOT_FOUND, "state_set");
  expectCode(del(NOSTORE, "wide"), DaprStatus.COMPONENT_NOT_FOUND, "state_delete");
  expectCode(getBulkEncoded(NOSTORE, keys), DaprStatus.COMPONENT_NOT_FOUND, "state_get_bulk");
  expectCode(transactEncoded(NOSTORE, transaction([["upsert", "a", "1", ""]])),
    DaprStatus.COMPONENT_NOT_FOUND, "state_transaction");
  expectCode(get("", "wide"), DaprStatus.COMPONENT_NOT_FOUND, "an empty store name");

  // etag_mismatch: writes, deletes and transactions with a stale etag change nothing.
  const stale = getEtag("wide");
  expectCode(set(STORE, "wide", "1"), DaprStatus.OK, "an unconditional write");
  const current = getEtag("wide");
  expectCode(set(STORE, "wide", "2", stale), DaprStatus.ETAG_MISMATCH, "state_set, stale etag");
  expectCode(del(STORE, "wide", stale), DaprStatus.ETAG_MISMATCH, "state_delete, stale etag");
  expectCode(transactEncoded(STORE, transaction([
    ["upsert", "tx-new", "\"new\"", ""],
    ["upsert", "wide", "3", stale],
  ])), DaprStatus.ETAG_MISMATCH, "state_transaction, stale etag");
  expectCode(get(STORE, "tx-new"), DaprStatus.NOT_FOUND, "a failed transaction applied nothing");
  expectCode(get(STORE, "wide"), DaprStatus.OK, "the key the conflicts aimed at");
  expectText(got, "1", "the conflicts changed nothing");
  expectText(getEtag("wide"), current, "the conflicts left the etag");
  // An etag on a missing key is no conflict: the write creates the key (every store agrees).
  expectCode(set(STORE, "never-saved", "1", "1234"), DaprStatus.OK,
    "state_set with an etag on a missing key");
  expectCode(get(STORE, "never-saved"), DaprStatus.OK, "the key the etag write created");

  // invalid_argument: keys Dapr refuses and malformed encoded lists.
  expectCode(set(STORE, "a||b", "1"), DaprStatus.INVALID_ARGUMENT, "state_set of a key with ||");
  expectCode(get(STORE, "a||b"), DaprStatus.INVALID_ARGUMENT, "state_get of a key with ||");
  expectCode(del(STORE, "a||b"), DaprStatus.INVALID_ARGUMENT, "state_delete of a key with ||");
  expectCode(set(STORE, "", "1"), DaprStatus.INVALID_ARGUMENT, "state_set of an empty key");
  expectCode(get(STORE, ""), DaprStatus.INVALID_ARGUMENT, "state_get of an empty key");
  expectCode(getBulkEncoded(STORE, keyList(["ok", "x||y"])), DaprStatus.INVALID_ARGUMENT,
    "state_get_bulk with a key with ||");
  const truncated = keyList(["wide"]).subarray(0, 6);
  expectCode(getBulkEncoded(STORE, truncated), DaprStatus.INVALID_ARGUMENT,
    "a truncated key list");
  const overcounted = new ListWriter().u32(5).str("wide").finish();
  expectCode(getBulkEncoded(STORE, overcounted), DaprStatus.INVALID_ARGUMENT,
    "a key list shorter than its count");
  const trailing = new ListWriter().u32(1).str("wide").u32(7).finish();
  expectCode(getBulkEncoded(STORE, trailing), DaprStatus.INVALID_ARGUMENT,
    "a key list with bytes after its end");
  const tx = transaction([["upsert", "tx-new", "1", ""]]);
  expectCode(transactEncoded(STORE, tx.subarray(0, tx.length - 1)), DaprStatus.INVALID_ARGUMENT,
    "a truncated transaction");
  const badKind = new ListWriter().u32(1).u32(7).str("k").str("1").str("").finish();
  expectCode(transactEncoded(STORE, badKind), DaprStatus.INVALID_ARGUMENT,
    "a transaction operation of unknown kind");
  expectCode(transactEncoded(STORE, transaction([["upsert", "fine", "1", ""],
    ["upsert", "bad||key", "1", ""]])), DaprStatus.INVALID_ARGUMENT,
    "a transaction with a key with ||");
  expectCode(get(STORE, "fine"), DaprStatus.NOT_FOUND, "a refused transaction applied nothing");

  // memory_access_error: a pointer and length outside the guest's memory.
  const end = memoryEnd();
  const key = Span.str("wide");
  const buf = new Uint8Array(1024);
  expectCode(dapr.state_get(s.ptr, s.len, end - 2, 8, buf.dataStart, 1024, LEN_OUT),
    DaprStatus.MEMORY_ACCESS_ERROR, "a key past the end of memory");
  expectCode(dapr.state_get(end, 1, key.ptr, key.len, buf.dataStart, 1024, LEN_OUT),
    DaprStatus.MEMORY_ACCESS_ERROR, "a store name past the end of memory");
  expectCode(dapr.state_get(s.ptr, s.len, key.ptr, key.len, end, 1024, LEN_OUT),
    DaprStatus.MEMORY_ACCESS_ERROR, "a result buffer past the end of memory");
  expectCode(dapr.state_get(s.ptr, s.len, key.ptr, key.len, buf.dataStart, 1024, end - 2),
    DaprStatus.MEMORY_ACCESS_ERROR, "a length slot past the end of memory");
  expectCode(dapr.state_set(s.ptr, s.len, key.ptr, key.len, end - 10, 100, 0, 0),
    DaprStatus.MEMORY_ACCESS_ERROR, "a value past the end of memory");
  expectCode(dapr.state_delete(s.ptr, s.len, key.ptr, key.len, end, 4),
    DaprStatus.MEMORY_ACCESS_ERROR, "an etag past the end of memory");
  expectCode(dapr.state_get_bulk(s.ptr, s.len, end - 4, 16, buf.dataStart, 1024, LEN_OUT),
    DaprStatus.MEMORY_ACCESS_ERROR, "a key list past the end of memory");
  expectCode(dapr.state_transaction(s.ptr, s.len, end - 4, 16),
    DaprStatus.MEMORY_ACCESS_ERROR, "a transaction past the end of memory");
  expectCode(get(STORE, "wide"), DaprStatus.OK, "the value survived every bad pointer");
  expectText(got, "1", "the value after the bad pointers");

  // The client reports the same codes.
  const client = new DaprClient();
  expect(client.getState(NOSTORE, "x") == null, "client: unknown store");
  expectCode(client.lastStatus, DaprStatus.COMPONENT_NOT_FOUND, "client: unknown store status");
  expect(!client.saveState(STORE, "wide", "9", stale), "client: stale etag");
  expectCode(client.lastStatus, DaprStatus.ETAG_MISMATCH, "client: stale etag status");
  expect(!client.deleteState(STORE, "x||y"), "client: bad key");
  expectCode(client.lastStatus, DaprStatus.INVALID_ARGUMENT, "client: bad key status");
}

const g = group();
if (g == "functions") functions();
else if (g == "errors") errors();
else expect(false, "unknown group '" + g + "'");
finish(g);
