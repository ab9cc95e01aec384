// The building blocks beyond state from an AssemblyScript guest that `wasmdapr run` runs:
// publish, service invocation, output bindings, secrets and configuration, through the SDK
// over both transports and through the raw `dapr` ABI with every error code a guest can reach.
// The first argument names the group. The test driver provides, as the app behind --app-port,
// an HTTP server that records pub/sub deliveries; "pubsub", "files" (bindings.localstorage),
// "web" (bindings.http to that app server),
// "config" (configuration.redis with greeting = hello) and "env" (secretstores.local.env) are
// its components.
import * as dapr from "../../../sdk/assemblyscript/assembly/dapr_abi";
import { Span, ListWriter } from "../../../sdk/assemblyscript/assembly/bytes";
import { DaprClient, DaprStatus, Pair, Transport } from "../../../sdk/assemblyscript/assembly/index";
import { env, expect, expectCode, expectNumber, expectText, finish, group, memoryEnd } from "./expect";

const APP = env("APP_ID");
const LEN_OUT = memory.data(8);
const STATUS_OUT = memory.data(8);

function clients(): DaprClient[] {
  return [new DaprClient(Transport.Direct), new DaprClient(Transport.Http)];
}

function name(c: DaprClient): string {
  return c.transport == Transport.Direct ? "direct" : "http";
}

function pairs(list: string[]): Uint8Array {
  const w = new ListWriter().u32(<u32>(list.length / 2));
  for (let i = 0; i < list.length; i++) w.str(list[i]);
  return w.finish();
}

// ---- publish: every event reaches the app (its /received lists the CloudEvents' data) ---------

function received(c: DaprClient): string {
  const body = c.invoke(APP, "received", "", "GET");
  return body == null ? "" : body;
}

// Publishes until the app has it: the app's subscription starts in the background, so the
// first events may be published before it is in place.
function publishUntilReceived(c: DaprClient, marker: string): bool {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (!c.publish("pubsub", "orders", "{\"marker\":\"" + marker + "\"}")) return false;
    for (let poll = 0; poll < 50; poll++) {
      if (received(c).includes(marker)) return true;
    }
  }
  return false;
}

function publishGroup(): void {
  const cs = clients();
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    expect(publishUntilReceived(c, "order-" + name(c)), name(c) + " publish reaches the app");
  }
  const direct = cs[0];
  expect(direct.publish("pubsub", "orders", "plain words", "text/plain"), "text publish");
  expect(direct.publish("pubsub", "orders", "{\"raw\":1}", "application/json",
                        [new Pair("rawPayload", "true")]), "raw payload publish");
  expect(!direct.publish("nowhere", "orders", "{}"), "unknown pubsub fails");
  expectCode(direct.lastStatus, DaprStatus.COMPONENT_NOT_FOUND, "unknown pubsub");
  finish("publish");
}

// ---- invoke: the app behind --app-port answers ----------------------------------------------

function invokeGroup(): void {
  const cs = clients();
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const n = name(c);
    expectText(c.invoke(APP, "echo", "{\"a\":1}"), "POST {\"a\":1}", n + " POST echo");
    expectNumber(c.lastHttpStatus, 200, n + " status 200");
    expectText(c.invoke(APP, "echo?x=1", "", "GET"), "GET x=1 ", n + " GET with a query");
    expectText(c.invoke(APP, "nested/path/echo", "{}", "PUT"), "PUT {}", n + " nested method");
    expectText(c.invoke(APP, "missing", "{}"), "no such method", n + " the app's 404 body");
    expectNumber(c.lastHttpStatus, 404, n + " the app's 404 status");
    expectCode(c.lastStatus, DaprStatus.OK, n + " an app's 404 is an answer");
  }
  // A large answer through a small buffer: kept by the host, fetched with result_take, and
  // the method ran once.
  const a = Span.str(APP), m = Span.str("big"), v = Span.str("GET");
  const small = new Uint8Array(16);
  expectCode(dapr.invoke(a.ptr, a.len, m.ptr, m.len, v.ptr, v.len, 0, 0, 0, 0, small.dataStart, 16,
                         LEN_OUT, STATUS_OUT), DaprStatus.BUFFER_TOO_SMALL, "big answer, small buffer");
  const size = load<u32>(LEN_OUT);
  expectNumber(size, 100000, "the size asked for");
  expectNumber(load<u32>(STATUS_OUT), 200, "status written even so");
  const big = new Uint8Array(<i32>size);
  expectCode(dapr.result_take(big.dataStart, size, LEN_OUT), DaprStatus.OK, "result_take");
  expect(big[0] == 0x61 && big[25] == 0x7a && big[26] == 0x61, "the kept bytes");
  expectCode(dapr.result_take(big.dataStart, size, LEN_OUT), DaprStatus.NOT_FOUND, "taken once");
  expectText(new DaprClient().invoke(APP, "calls/big", "", "GET"), "1", "big ran once");
  // Through the SDK, the same in one call.
  const viaSdk = new DaprClient().invoke(APP, "big", "", "GET");
  expectNumber(viaSdk == null ? 0 : viaSdk.length, 100000, "SDK reads a large answer");
  expectText(new DaprClient().invoke(APP, "calls/big", "", "GET"), "2", "big ran once more");
  const direct = cs[0];
  expect(direct.invoke("no-such-app", "echo", "") == null, "unknown app fails");
  expectCode(direct.lastStatus, DaprStatus.COMPONENT_NOT_FOUND, "unknown app");
  expect(direct.invoke("http://127.0.0.1:1", "x", "") == null, "an endpoint that does not answer");
  expectCode(direct.lastStatus, DaprStatus.UNAVAILABLE, "unreachable endpoint");
  finish("invoke");
}

// ---- output bindings: bindings.localstorage named "files" -----------------------------------

function bindingGroup(): void {
  const cs = clients();
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const n = name(c);
    const file = "note-" + n + ".txt";
    const meta = [new Pair("fileName", file)];
    // localstorage stores a JSON string's text, as Dapr's does.
    expect(c.invokeBinding("files", "create", "\"hello " + n + "\"", meta) != null, n + " create");
    expectText(c.invokeBinding("files", "get", "", meta), "hello " + n, n + " get");
    const list = c.invokeBinding("files", "list", "");
    expect(list != null && list.includes(file), n + " list names the file");
    expect(c.invokeBinding("files", "delete", "", meta) != null, n + " delete");
    expect(c.invokeBinding("files", "get", "", meta) == null, n + " get after delete fails");
    expectText(c.invokeBinding("web", "get", "", [new Pair("path", "/echo")]), "GET ",
               n + " bindings.http to the app");
    expect(c.invokeBinding("nowhere", "get", "", meta) == null, n + " unknown binding fails");
  }
  const direct = cs[0];
  direct.invokeBinding("nowhere", "get", "");
  expectCode(direct.lastStatus, DaprStatus.COMPONENT_NOT_FOUND, "unknown binding");
  direct.invokeBinding("files", "get", "", [new Pair("fileName", "absent.txt")]);
  expectCode(direct.lastStatus, DaprStatus.NOT_FOUND, "a missing file");
  direct.invokeBinding("web", "get", "", [new Pair("path", "/missing")]);
  expectCode(direct.lastStatus, DaprStatus.INTERNAL, "bindings.http answered 404");
  direct.invokeBinding("files", "explode", "");
  expectCode(direct.lastStatus, DaprStatus.INVALID_ARGUMENT, "unknown operation");
  direct.invokeBinding("files", "get", "", [new Pair("fileName", "../outside")]);
  expectCode(direct.lastStatus, DaprStatus.INVALID_ARGUMENT, "a name escaping rootPath");
  // A result larger than the buffer is kept, not recomputed.
  const text = "hello world ".repeat(400);
  const body = "\"" + text + "\"";
  expect(direct.invokeBinding("files", "create", body, [new Pair("fileName", "big.txt")]) != null,
         "create a large file");
  const b = Span.str("files"), op = Span.str("get"), meta = pairs(["fileName", "big.txt"]);
  const small = new Uint8Array(8);
  expectCode(dapr.binding(b.ptr, b.len, op.ptr, op.len, 0, 0, meta.dataStart, meta.length,
                          small.dataStart, 8, LEN_OUT), DaprStatus.BUFFER_TOO_SMALL, "small buffer");
  const want = load<u32>(LEN_OUT);
  expectNumber(want, text.length, "the size asked for");
  const all = new Uint8Array(<i32>want);
  expectCode(dapr.result_take(all.dataStart, want, LEN_OUT), DaprStatus.OK, "result_take");
  expectCode(dapr.binding(b.ptr, b.len, op.ptr, op.len, 0, 0, 3, 5, small.dataStart, 8, LEN_OUT),
             DaprStatus.INVALID_ARGUMENT, "malformed metadata list");
  expectCode(dapr.binding(b.ptr, b.len, op.ptr, op.len, 0, 0, memoryEnd() - 2, 8,
                          small.dataStart, 8, LEN_OUT),
             DaprStatus.MEMORY_ACCESS_ERROR, "metadata outside memory");
  finish("binding");
}

// ---- configuration (configuration.redis "config") and secrets (local.env "env") ------------

function configGroup(): void {
  const cs = clients();
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const n = name(c);
    expectText(c.getConfiguration("config", "greeting"), "hello", n + " configuration item");
    expect(c.getConfiguration("config", "absent") == null, n + " missing item");
    expectCode(c.lastStatus, DaprStatus.NOT_FOUND, n + " missing item code");
    expect(c.getConfiguration("nowhere", "greeting") == null, n + " unknown store");
    expectText(c.getSecret("env", "BLOCKS_SECRET"), "{\"BLOCKS_SECRET\":\"s3cret\"}",
               n + " secret");
  }
  const s = Span.str("config"), k = Span.str("greeting");
  const small = new Uint8Array(2);
  expectCode(dapr.config_get(s.ptr, s.len, k.ptr, k.len, small.dataStart, 2, LEN_OUT),
             DaprStatus.BUFFER_TOO_SMALL, "config_get small buffer");
  expectNumber(load<u32>(LEN_OUT), 5, "config_get asks for 5 bytes");
  const none = Span.str("nowhere");
  expectCode(dapr.config_get(none.ptr, none.len, k.ptr, k.len, small.dataStart, 2, LEN_OUT),
             DaprStatus.COMPONENT_NOT_FOUND, "config_get unknown store");
  expectCode(dapr.config_get(s.ptr, s.len, memoryEnd(), 4, small.dataStart, 2, LEN_OUT),
             DaprStatus.MEMORY_ACCESS_ERROR, "config_get key outside memory");
  finish("config");
}

// ---- publish's raw error codes ----------------------------------------------------------------

function publishErrorsGroup(): void {
  const p = Span.str("pubsub"), t = Span.str("orders"), d = Span.str("{}");
  const c = Span.str("application/json"), empty = Span.str("");
  expectCode(dapr.publish(p.ptr, p.len, empty.ptr, 0, d.ptr, d.len, c.ptr, c.len, 0, 0),
             DaprStatus.INVALID_ARGUMENT, "empty topic");
  const bad = pairs(["rawPayload", "maybe"]);
  expectCode(dapr.publish(p.ptr, p.len, t.ptr, t.len, d.ptr, d.len, c.ptr, c.len, bad.dataStart,
                          bad.length), DaprStatus.INVALID_ARGUMENT, "bad rawPayload");
  expectCode(dapr.publish(p.ptr, p.len, t.ptr, t.len, memoryEnd(), 1, c.ptr, c.len, 0, 0),
             DaprStatus.MEMORY_ACCESS_ERROR, "data outside memory");
  const notText = new Uint8Array(2);
  notText[0] = 0xff;
  notText[1] = 0xfe;
  expectCode(dapr.publish(p.ptr, p.len, notText.dataStart, 2, d.ptr, d.len, c.ptr, c.len, 0, 0),
             DaprStatus.INVALID_ARGUMENT, "topic not UTF-8");
  finish("publish_errors");
}

const g = group();
if (g == "publish") publishGroup();
else if (g == "publish_errors") publishErrorsGroup();
else if (g == "invoke") invokeGroup();
else if (g == "binding") bindingGroup();
else if (g == "config") configGroup();
else {
  console.log("unknown group " + g);
  process.exit(2);
}
