// DaprClient: the building blocks from a guest, over the direct `dapr` ABI (default) or over
// the Dapr HTTP API through `wasi_experimental_http`. Values are raw bytes or JSON text,
// stored and returned unchanged, so both transports see the same data.
import * as abi from "./dapr_abi";
import {
  Span, ptrOf, bytesToString, stringToBytes, ListWriter, ListReader, ArgBuffer, ResultBuffer,
} from "./bytes";
import { Method, RequestBuilder, Response } from "./http";

export enum Transport {
  /** Direct host calls (`dapr` import module): no HTTP, no JSON envelope. */
  Direct,
  /** The Dapr HTTP API v1.0 through `wasi_experimental_http`. */
  Http,
}

/** Error codes of the direct ABI (docs/abi.md); HTTP failures map onto them. */
export namespace DaprStatus {
  export const OK: u32 = 0;
  export const NOT_FOUND: u32 = 1;
  export const MEMORY_ACCESS_ERROR: u32 = 3;
  export const BUFFER_TOO_SMALL: u32 = 4;
  export const COMPONENT_NOT_FOUND: u32 = 5;
  export const ETAG_MISMATCH: u32 = 6;
  export const INVALID_ARGUMENT: u32 = 7;
  export const NOT_SUPPORTED: u32 = 8;
  export const UNAVAILABLE: u32 = 9;
  export const INTERNAL: u32 = 10;
}

/** One item of saveBulkState: value is JSON text (e.g. `"\"Death Star\""` or `{"a":1}`). */
export class StateItem {
  constructor(public key: string, public value: string, public etag: string = "") {}
}

export class TransactionOperation {
  constructor(
    public isDelete: bool, public key: string, public value: string = "", public etag: string = "",
  ) {}
  static upsert(key: string, value: string, etag: string = ""): TransactionOperation {
    return new TransactionOperation(false, key, value, etag);
  }
  static delete(key: string, etag: string = ""): TransactionOperation {
    return new TransactionOperation(true, key, "", etag);
  }
}

export class BulkStateItem {
  constructor(public key: string, public found: bool, public value: string, public etag: string) {}
}

/** Quotes a string as a JSON string literal. */
export function jsonString(s: string): string {
  // Runs of characters that need no escape are copied whole and the pieces joined once:
  // appending character by character would copy the string again for every character.
  const pieces = new Array<string>();
  pieces.push("\"");
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    if (i > run) pieces.push(s.substring(run, i));
    run = i + 1;
    if (c == 0x22) pieces.push("\\\"");
    else if (c == 0x5c) pieces.push("\\\\");
    else if (c == 0x0a) pieces.push("\\n");
    else if (c == 0x0d) pieces.push("\\r");
    else if (c == 0x09) pieces.push("\\t");
    else pieces.push("\\u00" + (c < 0x10 ? "0" : "") + c.toString(16));
  }
  if (s.length > run) pieces.push(run == 0 ? s : s.substring(run));
  pieces.push("\"");
  return pieces.join("");
}

export class DaprClient {
  /** The status of the last call (DaprStatus), for callers that want the reason. */
  lastStatus: u32 = DaprStatus.OK;
  /** The HTTP status of the last call over the Http transport. */
  lastHttpStatus: u16 = 0;
  // Reused by every direct call, so that a call allocates nothing but its result.
  private args: ArgBuffer = new ArgBuffer();
  private result: ResultBuffer = new ResultBuffer();

  constructor(
    public transport: Transport = Transport.Direct,
    public address: string = "http://127.0.0.1:3500",
  ) {}

  // ---- state ------------------------------------------------------------------------------

  saveState(store: string, key: string, value: string, etag: string = ""): bool {
    if (this.transport == Transport.Http) {
      const items = [new StateItem(key, value, etag)];
      return this.saveBulkState(store, items);
    }
    const a = this.args;
    a.begin(store.length + key.length + value.length + etag.length);
    const s = a.add(store), sl = a.len, k = a.add(key), kl = a.len;
    const v = a.add(value), vl = a.len, e = a.add(etag), el = a.len;
    const status = abi.state_set(s, sl, k, kl, v, vl, e, el);
    a.end();
    return this.done(status);
  }

  saveBulkState(store: string, items: StateItem[]): bool {
    if (this.transport == Transport.Direct) {
      const ops = new Array<TransactionOperation>();
      for (let i = 0; i < items.length; i++) {
        ops.push(TransactionOperation.upsert(items[i].key, items[i].value, items[i].etag));
      }
      // Dapr saves bulk items one by one: a non-transactional store must still accept them.
      for (let i = 0; i < ops.length; i++) {
        if (!this.saveState(store, ops[i].key, ops[i].value, ops[i].etag)) return false;
      }
      return true;
    }
    let body = "[";
    for (let i = 0; i < items.length; i++) {
      if (i) body += ",";
      body += "{\"key\":" + jsonString(items[i].key) + ",\"value\":" + items[i].value;
      if (items[i].etag.length) body += ",\"etag\":" + jsonString(items[i].etag);
      body += "}";
    }
    body += "]";
    return this.httpOk(this.http(Method.POST, statePath(store), body));
  }

  /** The value as stored (JSON text), or null when the key is missing or on error. */
  getState(store: string, key: string): string | null {
    if (this.transport == Transport.Http) {
      const item = this.httpGetState(store, key, false);
      return item != null && item.found ? item.value : null;
    }
    const a = this.args;
    a.begin(store.length + key.length);
    const s = a.add(store), sl = a.len, k = a.add(key), kl = a.len;
    const n = this.readResult((buf: usize, cap: usize, len: usize, s: usize, sl: usize, k: usize,
                               kl: usize): u32 => abi.state_get(s, sl, k, kl, buf, cap, len),
                              s, sl, k, kl);
    if (n < 0) return null;
    const value = this.result.text(<usize>n);
    this.result.shrink();
    return value;
  }

  getBulkState(store: string, keys: string[]): BulkStateItem[] {
    const result = new Array<BulkStateItem>();
    if (this.transport == Transport.Http) {
      // One GET per key, as the values come back unchanged that way, each with its ETag.
      for (let i = 0; i < keys.length; i++) {
        const item = this.httpGetState(store, keys[i], true);
        if (item == null) return new Array<BulkStateItem>();
        result.push(item);
      }
      this.lastStatus = DaprStatus.OK;
      return result;
    }
    const list = new ListWriter().u32(<u32>keys.length);
    for (let i = 0; i < keys.length; i++) list.str(keys[i]);
    const encoded = list.finish();
    const a = this.args;
    a.begin(store.length);
    const s = a.add(store), sl = a.len;
    const n = this.readResult((buf: usize, cap: usize, len: usize, s: usize, sl: usize, k: usize,
                               kl: usize): u32 => abi.state_get_bulk(s, sl, k, kl, buf, cap, len),
                              s, sl, ptrOf(encoded), <usize>encoded.length);
    if (n < 0) return result;
    const bytes = this.result.copy(<usize>n);
    this.result.shrink();
    const r = new ListReader(bytes);
    const count = r.u32();
    for (let i: u32 = 0; i < count; i++) {
      const key = r.str();
      const found = r.u32() != 0;
      const value = r.str();
      const etag = r.str();
      result.push(new BulkStateItem(key, found, value, etag));
    }
    return result;
  }

  deleteState(store: string, key: string, etag: string = ""): bool {
    if (this.transport == Transport.Http) {
      const b = new RequestBuilder(this.address + statePath(store, key)).method(Method.DELETE);
      if (etag.length) b.header("If-Match", etag);
      return this.httpOk(this.sendBuilder(b));
    }
    const a = this.args;
    a.begin(store.length + key.length + etag.length);
    const s = a.add(store), sl = a.len, k = a.add(key), kl = a.len, e = a.add(etag), el = a.len;
    return this.done(abi.state_delete(s, sl, k, kl, e, el));
  }

  transaction(store: string, ops: TransactionOperation[]): bool {
    if (this.transport == Transport.Http) {
      let body = "{\"operations\":[";
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (i) body += ",";
        body += "{\"operation\":\"" + (op.isDelete ? "delete" : "upsert") + "\",\"request\":{";
        body += "\"key\":" + jsonString(op.key);
        if (!op.isDelete) body += ",\"value\":" + op.value;
        if (op.etag.length) body += ",\"etag\":" + jsonString(op.etag);
        body += "}}";
      }
      body += "]}";
      return this.httpOk(this.http(Method.POST, statePath(store) + "/transaction", body));
    }
    const list = new ListWriter().u32(<u32>ops.length);
    for (let i = 0; i < ops.length; i++) {
      list.u32(ops[i].isDelete ? 1 : 0).str(ops[i].key).str(ops[i].value).str(ops[i].etag);
    }
    const encoded = list.finish();
    const s = Span.str(store);
    return this.done(abi.state_transaction(s.ptr, s.len, ptrOf(encoded), <usize>encoded.length));
  }

  // ---- pub/sub, service invocation, bindings, secrets, configuration ------------------------

  /** Publishes `data` (wrapped as a CloudEvent by the sidecar unless metadata rawPayload=true). */
  publish(pubsub: string, topic: string, data: string,
          contentType: string = "application/json", metadata: Pair[] = []): bool {
    if (this.transport == Transport.Http) {
      const b = new RequestBuilder(this.address + "/v1.0/publish/" + segment(pubsub) + "/" +
                                   segment(topic) + metadataQuery(metadata))
        .method(Method.POST).header("Content-Type", contentType).text(data);
      return this.httpOk(this.sendBuilder(b));
    }
    const p = Span.str(pubsub), t = Span.str(topic), d = Span.str(data), c = Span.str(contentType);
    const m = encodePairs(metadata);
    return this.done(abi.publish(p.ptr, p.len, t.ptr, t.len, d.ptr, d.len, c.ptr, c.len,
                                 ptrOf(m), <usize>m.length));
  }

  /**
   * Calls `method` (it may hold slashes and a query) on app `appId`: the response body, or null
   * when the app could not be reached. The callee's HTTP status is in lastHttpStatus, whatever
   * it is.
   */
  invoke(appId: string, method: string, data: string, verb: string = "POST",
         contentType: string = "application/json"): string | null {
    if (this.transport == Transport.Http) {
      const b = new RequestBuilder(this.address + "/v1.0/invoke/" + segment(appId) + "/method/" +
                                   method).method(verbMethod(verb));
      if (data.length) b.header("Content-Type", contentType).text(data);
      const res = this.sendBuilder(b);
      if (res == null) return null;
      const body = res.bodyText();
      res.close();
      if (res.status >= 500 && body.includes("\"ERR_DIRECT_INVOKE\"")) {
        return this.fail(DaprStatus.UNAVAILABLE);
      }
      this.lastStatus = DaprStatus.OK;
      return body;
    }
    const a = Span.str(appId), m = Span.str(method), v = Span.str(verb), d = Span.str(data);
    const headers = encodePairs(data.length ? [new Pair("Content-Type", contentType)] : []);
    const status = memory.data(4);
    store<u32>(status, 0);
    const len = memory.data(4);
    const n = this.effectResult(
      abi.invoke(a.ptr, a.len, m.ptr, m.len, v.ptr, v.len, d.ptr, d.len, ptrOf(headers),
                 <usize>headers.length, this.result.ptr, this.result.cap, len, status), len);
    this.lastHttpStatus = <u16>load<u32>(status);
    return n < 0 ? null : this.takeText(n);
  }

  /**
   * Runs `operation` of output binding `name` with `data` (JSON text, as the HTTP API's "data"
   * field holds it): the binding's response data ("" when it has none), or null on failure.
   */
  invokeBinding(name: string, operation: string, data: string, metadata: Pair[] = []): string | null {
    if (this.transport == Transport.Http) {
      let body = "{\"operation\":" + jsonString(operation) + ",\"data\":" +
                 (data.length ? data : "null") + ",\"metadata\":{";
      for (let i = 0; i < metadata.length; i++) {
        if (i) body += ",";
        body += jsonString(metadata[i].name) + ":" + jsonString(metadata[i].value);
      }
      body += "}}";
      const res = this.http(Method.POST, "/v1.0/bindings/" + segment(name), body);
      if (res == null) return null;
      const text = res.bodyText();
      res.close();
      if (res.status >= 300) return this.fail(statusFromHttp(res.status, text));
      this.lastStatus = DaprStatus.OK;
      return text;
    }
    const b = Span.str(name), o = Span.str(operation), d = Span.str(data);
    const m = encodePairs(metadata);
    const len = memory.data(4);
    const n = this.effectResult(
      abi.binding(b.ptr, b.len, o.ptr, o.len, d.ptr, d.len, ptrOf(m), <usize>m.length,
                  this.result.ptr, this.result.cap, len), len);
    return n < 0 ? null : this.takeText(n);
  }

  /** The secret as a JSON object of its keys (`{"name":"value"}`), or null when missing. */
  getSecret(store: string, name: string): string | null {
    if (this.transport == Transport.Http) {
      return this.httpGetBody("/v1.0/secrets/" + segment(store) + "/" + segment(name));
    }
    const a = this.args;
    a.begin(store.length + name.length);
    const s = a.add(store), sl = a.len, k = a.add(name), kl = a.len;
    const n = this.readResult((buf: usize, cap: usize, len: usize, s: usize, sl: usize, k: usize,
                               kl: usize): u32 => abi.secret_get(s, sl, k, kl, buf, cap, len),
                              s, sl, k, kl);
    a.end();
    return n < 0 ? null : this.takeText(n);
  }

  /** The value of configuration item `key`, or null when missing. */
  getConfiguration(store: string, key: string): string | null {
    if (this.transport == Transport.Http) {
      const body = this.httpGetBody("/v1.0/configuration/" + segment(store) + "?key=" +
                                    encodeURIComponent(key));
      if (body == null) return null;
      const value = itemValue(body, key);
      return value == null ? this.fail(DaprStatus.NOT_FOUND) : value;
    }
    const a = this.args;
    a.begin(store.length + key.length);
    const s = a.add(store), sl = a.len, k = a.add(key), kl = a.len;
    const n = this.readResult((buf: usize, cap: usize, len: usize, s: usize, sl: usize, k: usize,
                               kl: usize): u32 => abi.config_get(s, sl, k, kl, buf, cap, len),
                              s, sl, k, kl);
    a.end();
    return n < 0 ? null : this.takeText(n);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private done(status: u32): bool {
    this.lastStatus = status;
    return status == DaprStatus.OK;
  }

  private fail(status: u32): string | null {
    this.lastStatus = status;
    return null;
  }

  // Calls `call` with the result buffer, growing it to the size the host asks for
  // (docs/abi.md): the result's length, or -1 on failure (the reason in lastStatus).
  private readResult(
    call: (buf: usize, cap: usize, len: usize, a: usize, al: usize, b: usize, bl: usize) => u32,
    a: usize, al: usize, b: usize, bl: usize,
  ): isize {
    const len = memory.data(4);
    while (true) {
      const err = call(this.result.ptr, this.result.cap, len, a, al, b, bl);
      if (err == DaprStatus.BUFFER_TOO_SMALL) {
        this.result.grow(<usize>load<u32>(len));
        continue;
      }
      this.lastStatus = err;
      return err == 0 ? <isize>load<u32>(len) : -1;
    }
  }

  // The outcome of a call with effects, made once into the result buffer: an answer larger
  // than the buffer is kept by the host and fetched with result_take instead of repeating the
  // call (docs/abi.md). The result's length, or -1 on failure (the reason in lastStatus).
  private effectResult(err: u32, len: usize): isize {
    if (err == DaprStatus.BUFFER_TOO_SMALL) {
      this.result.grow(<usize>load<u32>(len));
      err = abi.result_take(this.result.ptr, this.result.cap, len);
    }
    this.lastStatus = err;
    return err == 0 ? <isize>load<u32>(len) : -1;
  }

  // The body of a GET answered 200; null on 204 (NOT_FOUND) or failure (the reason in
  // lastStatus).
  private httpGetBody(path: string): string | null {
    const res = this.http(Method.GET, path, "");
    if (res == null) return null;
    const body = res.bodyText();
    res.close();
    if (res.status == 204) return this.fail(DaprStatus.NOT_FOUND);
    if (res.status != 200) return this.fail(statusFromHttp(res.status, body));
    this.lastStatus = DaprStatus.OK;
    return body;
  }

  private takeText(n: isize): string {
    const text = this.result.text(<usize>n);
    this.result.shrink();
    return text;
  }

  // GET of one key: the item (found or not, with its ETag when asked for), or null on failure
  // (the reason in lastStatus).
  private httpGetState(store: string, key: string, withEtag: bool): BulkStateItem | null {
    const res = this.http(Method.GET, statePath(store, key), "");
    if (res == null) return null;
    const status = res.status;
    const etag = withEtag && status == 200 ? res.headerGet("ETag") : null;
    const body = res.bodyText();
    res.close();
    if (status == 204) {
      this.lastStatus = DaprStatus.NOT_FOUND;
      return new BulkStateItem(key, false, "", "");
    }
    if (status != 200) {
      this.lastStatus = statusFromHttp(status, body);
      return null;
    }
    this.lastStatus = DaprStatus.OK;
    return new BulkStateItem(key, true, body, etag != null ? etag : "");
  }

  private http(m: Method, path: string, body: string): Response | null {
    const b = new RequestBuilder(this.address + path).method(m);
    if (body.length) b.header("Content-Type", "application/json").text(body);
    return this.sendBuilder(b);
  }

  private sendBuilder(b: RequestBuilder): Response | null {
    const res = b.send();
    if (res == null) {
      this.lastStatus = DaprStatus.UNAVAILABLE;
      this.lastHttpStatus = 0;
      return null;
    }
    this.lastHttpStatus = res.status;
    return res;
  }

  private httpOk(res: Response | null): bool {
    if (res == null) return false;
    const status = res.status;
    const body = status < 300 ? "" : res.bodyText();
    res.close();
    return this.done(status < 300 ? DaprStatus.OK : statusFromHttp(status, body));
  }
}

/** A name/value pair: metadata of a publish or binding call, or a header. */
export class Pair {
  constructor(public name: string, public value: string) {}
}

function encodePairs(pairs: Pair[]): Uint8Array {
  if (pairs.length == 0) return new Uint8Array(0);
  const w = new ListWriter().u32(<u32>pairs.length);
  for (let i = 0; i < pairs.length; i++) w.str(pairs[i].name).str(pairs[i].value);
  return w.finish();
}

/** "?metadata.k=v&..." for the HTTP API, or "" with no metadata. */
function metadataQuery(metadata: Pair[]): string {
  let q = "";
  for (let i = 0; i < metadata.length; i++) {
    q += (i ? "&" : "?") + "metadata." + encodeURIComponent(metadata[i].name) + "=" +
         encodeURIComponent(metadata[i].value);
  }
  return q;
}

// The "value" of item `key` in a configuration answer {"key":{"value":"...",...}}.
function itemValue(body: string, key: string): string | null {
  const item = body.indexOf(jsonString(key) + ":");
  if (item < 0) return null;
  const field = body.indexOf("\"value\":", item);
  if (field < 0) return null;
  return readJsonString(body, field + 8);
}

// The JSON string literal starting at `at` (after optional spaces), unescaped.
function readJsonString(s: string, at: i32): string | null {
  while (at < s.length && s.charCodeAt(at) == 0x20) at++;
  if (at >= s.length || s.charCodeAt(at) != 0x22) return null;
  const pieces = new Array<string>();
  let run = at + 1;
  for (let i = at + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) {
      pieces.push(s.substring(run, i));
      return pieces.join("");
    }
    if (c != 0x5c) continue;
    pieces.push(s.substring(run, i));
    const e = s.charCodeAt(++i);
    if (e == 0x6e) pieces.push("\n");
    else if (e == 0x74) pieces.push("\t");
    else if (e == 0x72) pieces.push("\r");
    else if (e == 0x62) pieces.push("\b");
    else if (e == 0x66) pieces.push("\f");
    else if (e == 0x75) {
      pieces.push(String.fromCharCode(<i32>parseInt(s.substring(i + 1, i + 5), 16)));
      i += 4;
    } else pieces.push(String.fromCharCode(e));
    run = i + 1;
  }
  return null;
}

/** "/v1.0/state/<store>[/<key>]", each name percent-encoded as one path segment. */
function statePath(store: string, key: string | null = null): string {
  const path = "/v1.0/state/" + segment(store);
  return key == null ? path : path + "/" + segment(key);
}

/** A name as one URL path segment: itself when nothing in it needs escaping. */
function segment(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const plain = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ||
                  (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f || c == 0x2e || c == 0x7e;
    if (!plain) return encodeURIComponent(name);
  }
  return name;
}

// The direct ABI's code for an HTTP API error: by Dapr's errorCode in the body where it names
// the cause (an unknown store is a 400, like a malformed request), else by the status.
function statusFromHttp(status: u16, body: string = ""): u32 {
  if (body.includes("\"ERR_STATE_STORE_NOT_FOUND\"") ||
      body.includes("\"ERR_STATE_STORE_NOT_CONFIGURED\"") ||
      body.includes("\"ERR_PUBSUB_NOT_FOUND\"") ||
      body.includes("\"ERR_SECRET_STORE_NOT_FOUND\"") ||
      body.includes("\"ERR_CONFIGURATION_STORE_NOT_FOUND\"")) {
    return DaprStatus.COMPONENT_NOT_FOUND;
  }
  if (body.includes("\"ERR_STATE_STORE_NOT_SUPPORTED\"") ||
      body.includes("\"ERR_NOT_SUPPORTED_STATE_OPERATION\"")) {
    return DaprStatus.NOT_SUPPORTED;
  }
  if (status == 404) return DaprStatus.COMPONENT_NOT_FOUND;
  if (status == 409) return DaprStatus.ETAG_MISMATCH;
  if (status == 400) return DaprStatus.INVALID_ARGUMENT;
  return DaprStatus.INTERNAL;
}

function verbMethod(verb: string): Method {
  if (verb == "GET") return Method.GET;
  if (verb == "PUT") return Method.PUT;
  if (verb == "DELETE") return Method.DELETE;
  if (verb == "PATCH") return Method.PATCH;
  return Method.POST;
}
