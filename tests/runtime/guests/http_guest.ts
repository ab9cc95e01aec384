// Every function and every guest-reachable error code of `wasi_experimental_http`, called by an
// AssemblyScript guest that `wasmdapr run` runs: against the built-in sidecar (answered in
// process), an HTTP server in another process, and a port where nothing listens. The first
// argument names the group; OUTSIDE and REFUSED (environment) are the other two origins.
import * as http from "../../../sdk/assemblyscript/assembly/http_abi";
import { Span } from "../../../sdk/assemblyscript/assembly/bytes";
import { RequestBuilder, Method } from "../../../sdk/assemblyscript/assembly/index";
import {
  expect, expectCode, expectText, expectNumber, finish, group, env, pattern, memoryEnd,
} from "./expect";

namespace E {
  export const SUCCESS: u32 = 0;
  export const INVALID_HANDLE: u32 = 1;
  export const MEMORY_ACCESS_ERROR: u32 = 3;
  export const BUFFER_TOO_SMALL: u32 = 4;
  export const HEADER_NOT_FOUND: u32 = 5;
  export const UTF8_ERROR: u32 = 6;
  export const DESTINATION_NOT_ALLOWED: u32 = 7;
  export const INVALID_METHOD: u32 = 8;
  export const INVALID_ENCODING: u32 = 9;
  export const INVALID_URL: u32 = 10;
  export const REQUEST_ERROR: u32 = 11;
  export const TOO_MANY_SESSIONS: u32 = 13;
}

const STATUS_OUT = memory.data(8);
const HANDLE_OUT = memory.data(8);
const WRITTEN = memory.data(8);
const NO_HANDLE: u32 = 0xffffffff;

const PORT = env("DAPR_HTTP_PORT");
const DAPR = "http://127.0.0.1:" + PORT;

function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** `prefix` followed by one byte that is never valid UTF-8. */
function badUtf8(prefix: string): Uint8Array {
  const head = utf8(prefix);
  const out = new Uint8Array(head.length + 1);
  out.set(head);
  out[head.length] = 0xff;
  return out;
}

class Reply {
  constructor(public code: u32, public status: u16, public handle: u32) {}
}

function rawReq(url: Uint8Array, method: Uint8Array, headers: Uint8Array, body: Uint8Array): Reply {
  store<u16>(STATUS_OUT, 0);
  store<u32>(HANDLE_OUT, NO_HANDLE);
  const code = http.req(url.dataStart, url.length, method.dataStart, method.length,
    headers.dataStart, headers.length, body.dataStart, body.length, STATUS_OUT, HANDLE_OUT);
  return new Reply(code, load<u16>(STATUS_OUT), load<u32>(HANDLE_OUT));
}

function req(url: string, method: string = "GET", headers: string = "", body: string = ""): Reply {
  return rawReq(utf8(url), utf8(method), utf8(headers), utf8(body));
}

/** A request that must succeed; its handle, or NO_HANDLE after a failed check. */
function open(what: string, url: string, method: string = "GET", headers: string = "",
              body: string = ""): Reply {
  const r = req(url, method, headers, body);
  expectCode(r.code, E.SUCCESS, what);
  return r;
}

let lastText = "";

function headerGet(handle: u32, name: string, cap: i32 = 1024): u32 {
  const n = Span.str(name);
  const buf = new Uint8Array(cap);
  store<u32>(WRITTEN, NO_HANDLE);
  const code = http.header_get(handle, n.ptr, n.len, buf.dataStart, cap, WRITTEN);
  lastText = code == 0 ? String.UTF8.decodeUnsafe(buf.dataStart, load<u32>(WRITTEN)) : "";
  return code;
}

function headersGetAll(handle: u32, cap: i32 = 4096): u32 {
  const buf = new Uint8Array(cap);
  const code = http.headers_get_all(handle, buf.dataStart, cap, WRITTEN);
  lastText = code == 0 ? String.UTF8.decodeUnsafe(buf.dataStart, load<u32>(WRITTEN)) : "";
  return code;
}

/** Reads the rest of the body `chunk` bytes per call; lastText is the body. */
class BodyRead {
  constructor(public code: u32, public reads: i32, public text: string) {}
}

function readBody(handle: u32, chunk: i32): BodyRead {
  const buf = new Uint8Array(chunk);
  const parts = new Array<Uint8Array>();
  let total = 0;
  let reads = 0;
  let code: u32 = 0;
  while (true) {
    code = http.body_read(handle, buf.dataStart, chunk, WRITTEN);
    if (code != 0) break;
    const n = <i32>load<u32>(WRITTEN);
    if (n == 0) break;
    if (n > chunk) {
      expect(false, "body_read wrote " + n.toString() + " bytes into " + chunk.toString());
      break;
    }
    parts.push(buf.slice(0, n));
    total += n;
    reads++;
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    all.set(parts[i], at);
    at += parts[i].length;
  }
  return new BodyRead(code, reads, String.UTF8.decode(all.buffer));
}

function bodyOf(handle: u32): string {
  return readBody(handle, 4096).text;
}

// ---- the sidecar, in process ----------------------------------------------------------------

function sidecar(): void {
  const VALUE = "{\"text\":\"the quick brown fox jumps over the lazy dog\"}";
  let r = open("save through the sidecar", DAPR + "/v1.0/state/statestore", "POST",
    "Content-Type:application/json\n", "[{\"key\":\"fox\",\"value\":" + VALUE + "}]");
  expectNumber(r.status, 204, "save status");
  expectCode(http.close(r.handle), E.SUCCESS, "close after save");

  r = open("get through the sidecar", DAPR + "/v1.0/state/statestore/fox");
  const h = r.handle;
  expectNumber(r.status, 200, "get status");
  expectCode(headerGet(h, "Content-Type"), E.SUCCESS, "header_get Content-Type");
  expectText(lastText, "application/json", "Content-Type");
  expectCode(headerGet(h, "CONTENT-TYPE"), E.SUCCESS, "header_get matches names in any case");
  expectText(lastText, "application/json", "CONTENT-TYPE");
  expectCode(headerGet(h, "etag"), E.SUCCESS, "header_get etag");
  const etag = lastText;
  expect(etag.length > 0, "the etag header has a value");
  expectCode(headerGet(h, "content-length"), E.SUCCESS, "header_get content-length");
  expectText(lastText, String.UTF8.byteLength(VALUE).toString(), "content-length");
  expectCode(headerGet(h, "x-not-there"), E.HEADER_NOT_FOUND, "header_get of a missing header");
  expectCode(headerGet(h, "content-type", 4), E.BUFFER_TOO_SMALL, "header_get into 4 bytes");
  expectCode(headerGet(h, "content-type", 16), E.SUCCESS, "header_get into exactly 16 bytes");

  expectCode(headersGetAll(h, 3), E.BUFFER_TOO_SMALL, "headers_get_all into 3 bytes");
  expectCode(headersGetAll(h), E.SUCCESS, "headers_get_all");
  const all = lastText;
  expect(all.includes("content-type:application/json\n"), "headers_get_all lists content-type");
  expect(all.includes("etag:" + etag + "\n"), "headers_get_all lists the etag");
  expect(all.endsWith("\n"), "headers_get_all ends every line with a newline");
  const exact = String.UTF8.byteLength(all);
  expectCode(headersGetAll(h, exact), E.SUCCESS, "headers_get_all into exactly its size");
  expectCode(headersGetAll(h, exact - 1), E.BUFFER_TOO_SMALL, "headers_get_all one byte short");

  // The body streams one byte per call, then reports its end (0 bytes) on every later call.
  const body = readBody(h, 1);
  expectCode(body.code, E.SUCCESS, "body_read");
  expectText(body.text, VALUE, "body read byte by byte");
  expectNumber(body.reads, String.UTF8.byteLength(VALUE), "one read per byte");
  const buf = new Uint8Array(16);
  store<u32>(WRITTEN, 99);
  expectCode(http.body_read(h, buf.dataStart, 16, WRITTEN), E.SUCCESS, "body_read at the end");
  expectNumber(load<u32>(WRITTEN), 0, "body_read at the end writes 0");

  // Two open responses are independent.
  const second = open("a second get", DAPR + "/v1.0/state/statestore/fox");
  expect(second.handle != h, "a second response gets its own handle");
  const third = open("a third get", DAPR + "/v1.0/state/statestore/fox");
  expectText(readBody(second.handle, 7).text, VALUE, "second body, 7 bytes per read");
  expectText(readBody(third.handle, 1000).text, VALUE, "third body in one read");

  // A closed handle is invalid for every function; closing again is harmless.
  expectCode(http.close(h), E.SUCCESS, "close");
  expectCode(http.body_read(h, buf.dataStart, 16, WRITTEN), E.INVALID_HANDLE,
    "body_read after close");
  expectCode(headerGet(h, "etag"), E.INVALID_HANDLE, "header_get after close");
  expectCode(headersGetAll(h), E.INVALID_HANDLE, "headers_get_all after close");
  expectCode(http.close(h), E.SUCCESS, "close twice");
  expectCode(http.body_read(0xdead, buf.dataStart, 16, WRITTEN), E.INVALID_HANDLE,
    "body_read of a handle never given");
  expectCode(headerGet(0xdead, "etag"), E.INVALID_HANDLE, "header_get of a handle never given");
  expectText(readBody(second.handle, 3).text, "", "the second body was read to its end");
  http.close(second.handle);
  http.close(third.handle);

  // The sidecar's statuses come through: conditional writes, a missing key, an unknown store.
  r = open("save with the current etag", DAPR + "/v1.0/state/statestore", "POST",
    "Content-Type:application/json\n",
    "[{\"key\":\"fox\",\"value\":1,\"etag\":\"" + etag + "\"}]");
  expectNumber(r.status, 204, "save with the current etag");
  http.close(r.handle);
  r = open("save with a stale etag", DAPR + "/v1.0/state/statestore", "POST",
    "Content-Type:application/json\n",
    "[{\"key\":\"fox\",\"value\":2,\"etag\":\"" + etag + "\"}]");
  expectNumber(r.status, 409, "save with a stale etag");
  expect(bodyOf(r.handle).includes("ERR_STATE_SAVE"), "stale etag error code");
  http.close(r.handle);
  r = open("get a missing key", DAPR + "/v1.0/state/statestore/nothing-here");
  expectNumber(r.status, 204, "missing key status");
  expectText(bodyOf(r.handle), "", "missing key body");
  http.close(r.handle);
  r = open("get from an unknown store", DAPR + "/v1.0/state/nostore/fox");
  expectNumber(r.status, 400, "unknown store status");
  expect(bodyOf(r.handle).includes("ERR_STATE_STORE_NOT_FOUND"), "unknown store error code");
  http.close(r.handle);
  r = open("delete", DAPR + "/v1.0/state/statestore/fox", "DELETE");
  expectNumber(r.status, 204, "delete status");
  http.close(r.handle);

  // The SDK's request builder over the same ABI.
  const res = new RequestBuilder(DAPR + "/v1.0/healthz").send();
  if (expect(res != null, "RequestBuilder to the sidecar")) {
    expectNumber(res!.status, 204, "healthz status");
    res!.close();
  }
}

// ---- error codes ------------------------------------------------------------------------------
// Not here: `memory_not_found` needs a guest without memory (the WAT guests of tests/hostabi),
// and `runtime_error` has no cause a guest can provoke.

function errors(): void {
  const path = "/v1.0/healthz";
  const port = I32.parseInt(PORT);
  // The allow list names http://127.0.0.1:<port>: scheme, host and port must all match.
  expectCode(req("https://127.0.0.1:" + PORT + path).code, E.DESTINATION_NOT_ALLOWED,
    "another scheme");
  expectCode(req("http://localhost:" + PORT + path).code, E.DESTINATION_NOT_ALLOWED,
    "another host name for the same address");
  expectCode(req("http://127.0.0.2:" + PORT + path).code, E.DESTINATION_NOT_ALLOWED,
    "another host");
  expectCode(req("http://127.0.0.1:" + (port + 1).toString() + path).code,
    E.DESTINATION_NOT_ALLOWED, "another port");
  expectCode(req("http://127.0.0.1" + path).code, E.DESTINATION_NOT_ALLOWED, "the default port");
  const upper = req("HTTP://127.0.0.1:" + PORT + path);
  expectCode(upper.code, E.SUCCESS, "scheme and host compare without case");
  http.close(upper.handle);
  // A denied request never reaches the sidecar.
  const denied = req("http://localhost:" + PORT + "/v1.0/state/statestore", "POST",
    "Content-Type:application/json\n", "[{\"key\":\"denied\",\"value\":1}]");
  expectCode(denied.code, E.DESTINATION_NOT_ALLOWED, "a denied save");
  expectNumber(denied.handle, NO_HANDLE, "a denied request writes no handle");
  const check = open("get after a denied save", DAPR + "/v1.0/state/statestore/denied");
  expectNumber(check.status, 204, "the denied save did not happen");
  http.close(check.handle);
  // The destination is checked before the method and the headers.
  expectCode(req("https://127.0.0.1:" + PORT + path, "GE T", "no colon").code,
    E.DESTINATION_NOT_ALLOWED, "a denied destination wins over a bad method");

  expectCode(req(DAPR + path, "GE T").code, E.INVALID_METHOD, "a method with a space");
  expectCode(req(DAPR + path, "").code, E.INVALID_METHOD, "an empty method");
  expectCode(req(DAPR + path, "GET\n").code, E.INVALID_METHOD, "a method with a newline");
  expectCode(req("not a url").code, E.INVALID_URL, "not a URL");
  expectCode(req("").code, E.INVALID_URL, "an empty URL");
  expectCode(req("ftp://127.0.0.1:" + PORT + "/").code, E.INVALID_URL, "an ftp URL");
  expectCode(req(DAPR + path, "GET", "no colon here\n").code, E.INVALID_ENCODING,
    "a header line without a colon");
  expectCode(req(DAPR + path, "GET", "bad name:1\n").code, E.INVALID_ENCODING,
    "a header name with a space");
  expectCode(req(DAPR + path, "GET", "x-ok:1\nx-bad:a\u0001b\n").code, E.INVALID_ENCODING,
    "a control character in a header value");
  expectCode(req(DAPR + path, "GET", "x-one:1\r\nx-two:2\r\n").code, E.SUCCESS,
    "CRLF header lines");

  const get = utf8("GET");
  const none = new Uint8Array(0);
  expectCode(rawReq(badUtf8(DAPR + path), get, none, none).code, E.UTF8_ERROR,
    "a URL that is not UTF-8");
  expectCode(rawReq(utf8(DAPR + path), badUtf8("GE"), none, none).code, E.UTF8_ERROR,
    "a method that is not UTF-8");
  expectCode(rawReq(utf8(DAPR + path), get, badUtf8("x-a:"), none).code, E.UTF8_ERROR,
    "headers that are not UTF-8");
  const binary = new Uint8Array(3);
  binary[0] = 0xff;
  binary[2] = 0x80;
  const posted = rawReq(utf8(DAPR + "/v1.0/state/statestore"), utf8("POST"), none, binary);
  expectCode(posted.code, E.SUCCESS, "a body need not be UTF-8");
  expectNumber(posted.status, 400, "the sidecar rejects a body that is not JSON");
  http.close(posted.handle);

  // Pointers outside the guest's memory. Inputs out of bounds answer "buffer too small", as the
  // original host does; outputs out of bounds are memory access errors.
  const end = memoryEnd();
  const url = utf8(DAPR + path);
  const m = utf8("GET");
  expectCode(http.req(end - 4, 100, m.dataStart, 3, 0, 0, 0, 0, STATUS_OUT, HANDLE_OUT),
    E.BUFFER_TOO_SMALL, "a URL past the end of memory");
  expectCode(http.req(url.dataStart, url.length, m.dataStart, 3, 0, 0, end, 1, STATUS_OUT,
    HANDLE_OUT), E.BUFFER_TOO_SMALL, "a body past the end of memory");
  expectCode(http.req(url.dataStart, url.length, m.dataStart, 3, 0, 0, 0, 0, end - 1, HANDLE_OUT),
    E.MEMORY_ACCESS_ERROR, "a status slot past the end of memory");
  expectCode(http.req(url.dataStart, url.length, m.dataStart, 3, 0, 0, 0, 0, STATUS_OUT, end - 2),
    E.MEMORY_ACCESS_ERROR, "a handle slot past the end of memory");
  // A request whose result cannot be written is not sent at all.
  const save = utf8(DAPR + "/v1.0/state/statestore");
  const post = utf8("POST");
  const item = utf8("[{\"key\":\"unwritable\",\"value\":1}]");
  expectCode(http.req(save.dataStart, save.length, post.dataStart, post.length, 0, 0,
    item.dataStart, item.length, end - 1, HANDLE_OUT), E.MEMORY_ACCESS_ERROR,
    "a save whose status slot is past the end of memory");
  const unsent = open("get after the unwritable save", DAPR + "/v1.0/state/statestore/unwritable");
  expectNumber(unsent.status, 204, "the save with an unwritable status slot was not sent");
  http.close(unsent.handle);
  const r = open("a request for the pointer checks", DAPR + "/v1.0/metadata");
  const n = Span.str("content-type");
  expectCode(http.header_get(r.handle, end - 2, 12, 0, 0, WRITTEN), E.BUFFER_TOO_SMALL,
    "a header name past the end of memory");
  expectCode(http.header_get(r.handle, n.ptr, n.len, end - 4, 64, WRITTEN),
    E.MEMORY_ACCESS_ERROR, "a header buffer past the end of memory");
  expectCode(http.headers_get_all(r.handle, end - 4, 4096, WRITTEN), E.MEMORY_ACCESS_ERROR,
    "a headers buffer past the end of memory");
  const buf = new Uint8Array(8);
  expectCode(http.body_read(r.handle, end - 2, 64, WRITTEN), E.MEMORY_ACCESS_ERROR,
    "a body buffer past the end of memory");
  expectCode(http.body_read(r.handle, buf.dataStart, 8, end - 1), E.MEMORY_ACCESS_ERROR,
    "a written slot past the end of memory");
  expect(bodyOf(r.handle).startsWith("{"), "failed reads consumed nothing of the body");
  http.close(r.handle);
}

// ---- an HTTP server in another process ------------------------------------------------------

function outbound(): void {
  const OUTSIDE = env("OUTSIDE");
  let r = open("POST to the outside server", OUTSIDE + "/echo", "POST",
    "X-Test:yes\nContent-Type:text/plain\n", "ping");
  expectNumber(r.status, 200, "echo status");
  const echoed = bodyOf(r.handle);
  expect(echoed.startsWith("POST /echo\n"), "the server saw the method and path: " + echoed);
  expect(echoed.includes("\nX-Test:yes\n"), "the server saw the header");
  expect(echoed.endsWith("\n\nping"), "the server saw the body");
  http.close(r.handle);

  r = open("GET response headers", OUTSIDE + "/headers");
  expectCode(headerGet(r.handle, "X-TWO"), E.SUCCESS, "header_get X-TWO");
  expectText(lastText, "a:b", "a header value with a colon");
  expectCode(headerGet(r.handle, "x-multi"), E.SUCCESS, "header_get of a repeated header");
  expectText(lastText, "first", "the first of repeated values");
  expectCode(headersGetAll(r.handle), E.SUCCESS, "headers_get_all");
  expect(lastText.includes("x-one:1\n"), "headers_get_all has x-one");
  expect(lastText.includes("x-multi:first\n") && lastText.includes("x-multi:second\n"),
    "headers_get_all repeats a repeated header");
  expectCode(headerGet(r.handle, "x-absent"), E.HEADER_NOT_FOUND, "a header the server did not send");
  http.close(r.handle);

  // A 1 MiB body streams through 1000-byte reads.
  const size = 1 << 20;
  r = open("GET a large body", OUTSIDE + "/bytes/" + size.toString());
  expectCode(headerGet(r.handle, "content-length"), E.SUCCESS, "large body length");
  expectText(lastText, size.toString(), "content-length of the large body");
  const big = readBody(r.handle, 1000);
  expectNumber(big.reads, (size + 999) / 1000, "reads of the large body");
  expect(big.text == pattern(size), "the large body arrived intact");
  http.close(r.handle);

  // A large request body goes out whole.
  const upload = pattern(1000000);
  r = open("POST a large body", OUTSIDE + "/echo", "POST", "", upload);
  expect(bodyOf(r.handle).endsWith("\n\n" + upload), "the server saw the large body");
  http.close(r.handle);

  r = open("GET a missing page", OUTSIDE + "/nowhere");
  expectNumber(r.status, 404, "a 404 is a response, not an error");
  expectText(bodyOf(r.handle), "not found", "404 body");
  http.close(r.handle);

  const res = new RequestBuilder(OUTSIDE + "/echo").method(Method.PUT).header("X-Sdk", "1")
    .text("hello").send();
  if (expect(res != null, "RequestBuilder to the outside server")) {
    expectNumber(res!.status, 200, "RequestBuilder status");
    const text = res!.bodyText();
    expect(text.startsWith("PUT /echo\n") && text.includes("\nX-Sdk:1\n") &&
           text.endsWith("\n\nhello"), "RequestBuilder request as sent: " + text);
    expectText(res!.headerGet("Content-Length"), String.UTF8.byteLength(text).toString(),
      "Response.headerGet");
    res!.close();
  }
}

function refused(): void {
  const REFUSED = env("REFUSED");
  const r = req(REFUSED + "/");
  expectCode(r.code, E.REQUEST_ERROR, "a refused connection");
  expectNumber(r.handle, NO_HANDLE, "a failed request writes no handle");
  const b = new RequestBuilder(REFUSED + "/");
  expect(b.send() == null, "RequestBuilder.send fails");
  expectCode(b.lastError, E.REQUEST_ERROR, "RequestBuilder.lastError");
}

// Run with --max-http-requests 3.
function sessions(): void {
  const url = DAPR + "/v1.0/healthz";
  const a = open("first session", url), b = open("second session", url);
  const c = open("third session", url);
  expect(a.handle != b.handle && b.handle != c.handle && a.handle != c.handle,
    "open sessions have distinct handles");
  const d = req(url);
  expectCode(d.code, E.TOO_MANY_SESSIONS, "a fourth open session");
  expectNumber(d.handle, NO_HANDLE, "a refused session writes no handle");
  expectCode(http.close(b.handle), E.SUCCESS, "close one");
  const e = open("a session after one closed", url);
  expectCode(req(url).code, E.TOO_MANY_SESSIONS, "the limit holds again");
  http.close(a.handle);
  http.close(c.handle);
  http.close(e.handle);
  for (let i = 0; i < 10; i++) {
    const again = req(url);
    expectCode(again.code, E.SUCCESS, "sessions closed are given back");
    http.close(again.handle);
  }
}

// Run with --dapr-http-port PORT and both http://127.0.0.1:PORT (the in-process address) and
// http://localhost:PORT (the same listener, reached over TCP) allowed: every answer must be the
// same either way, status, headers and body.
function sameAsTcp(): void {
  const inProcess = DAPR;
  const overTcp = "http://localhost:" + PORT;
  const json = "Content-Type:application/json\n";
  const cases: string[][] = [  // method, path, headers, body
    ["POST", "/v1.0/state/statestore", json, "[{\"key\":\"k\",\"value\":{\"a\":[1,2]}}]"],
    ["GET", "/v1.0/state/statestore/k", "", ""],
    ["GET", "/v1.0/state/statestore/k?metadata.partitionKey=p", "", ""],
    ["GET", "/v1.0/state/statestore/missing", "", ""],
    ["GET", "/v1.0/state/nostore/k", "", ""],
    ["POST", "/v1.0/state/statestore/bulk", json, "{\"keys\":[\"k\",\"missing\"]}"],
    ["POST", "/v1.0/state/statestore", json, "not json"],
    ["POST", "/v1.0/state/statestore", json, "[{\"key\":\"a||b\",\"value\":1}]"],
    ["POST", "/v1.0/state/statestore", json, "[{\"key\":\"k\",\"value\":1,\"etag\":\"999\"}]"],
    ["POST", "/v1.0/state/statestore/transaction", json,
     "{\"operations\":[{\"operation\":\"upsert\",\"request\":{\"key\":\"t\",\"value\":2}}]}"],
    ["DELETE", "/v1.0/state/statestore/t", "", ""],
    ["PUT", "/v1.0/state/statestore", json, "[]"],
    ["GET", "/v1.0/healthz", "", ""],
    ["GET", "/v1.0/healthz/outbound", "", ""],
    ["GET", "/v1.0/nowhere", "", ""],
    ["GET", "/", "", ""],
  ];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const what = c[0] + " " + c[1];
    const a = open(what + " in process", inProcess + c[1], c[0], c[2], c[3]);
    const b = open(what + " over TCP", overTcp + c[1], c[0], c[2], c[3]);
    expectNumber(a.status, b.status, what + ": status in process vs over TCP");
    expectCode(headersGetAll(a.handle), E.SUCCESS, what + ": headers in process");
    const headersA = lastText;
    expectCode(headersGetAll(b.handle), E.SUCCESS, what + ": headers over TCP");
    expectText(headersA, lastText, what + ": headers in process vs over TCP");
    expectText(bodyOf(a.handle), bodyOf(b.handle), what + ": body in process vs over TCP");
    http.close(a.handle);
    http.close(b.handle);
  }
}

// Run with no --allowed-host: everything is denied, even the sidecar.
function deniedByDefault(): void {
  expectCode(req(DAPR + "/v1.0/healthz").code, E.DESTINATION_NOT_ALLOWED, "the sidecar");
  expectCode(req(env("OUTSIDE") + "/echo").code, E.DESTINATION_NOT_ALLOWED, "the outside server");
}

// Run with --allowed-host insecure:allow-all.
function allowAll(): void {
  const a = open("the sidecar", DAPR + "/v1.0/healthz");
  expectNumber(a.status, 204, "sidecar status");
  http.close(a.handle);
  const b = open("the outside server", env("OUTSIDE") + "/echo");
  expectNumber(b.status, 200, "outside status");
  http.close(b.handle);
}

const g = group();
if (g == "sidecar") sidecar();
else if (g == "errors") errors();
else if (g == "outbound") outbound();
else if (g == "refused") refused();
else if (g == "sessions") sessions();
else if (g == "same_as_tcp") sameAsTcp();
else if (g == "denied_by_default") deniedByDefault();
else if (g == "allow_all") allowAll();
else expect(false, "unknown group '" + g + "'");
finish(g);
