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

  // ---- pub/sub and service invocation -----------------------------------------------------

  publish(pubsub: string, topic: string, data: string,
          contentType: string = "application/json"): bool {
    if (this.transport == Transport.Http) {
      const b = new RequestBuilder(this.address + "/v1.0/publish/" + encodeURIComponent(pubsub) +
                                   "/" + encodeURIComponent(topic))
        .method(Method.POST).header("Content-Type", contentType).text(data);
      return this.httpOk(this.sendBuilder(b));
    }
    const p = Span.str(pubsub), t = Span.str(topic), d = Span.str(data), c = Span.str(contentType);
    return this.done(abi.publish(p.ptr, p.len, t.ptr, t.len, d.ptr, d.len, c.ptr, c.len, 0, 0));
  }

  /** Calls `method` on app `appId`; the response body, or null on failure. */
  invoke(appId: string, method: string, data: string, verb: string = "POST"): string | null {
    if (this.transport == Transport.Http) {
      const b = new RequestBuilder(this.address + "/v1.0/invoke/" + appId + "/method/" + method)
        .method(verbMethod(verb)).header("Content-Type", "application/json").text(data);
      const res = this.sendBuilder(b);
      if (res == null) return null;
      const body = res.bodyText();
      res.close();
      if (res.status >= 400) return this.fail(statusFromHttp(res.status, body));
      this.lastStatus = DaprStatus.OK;
      return body;
    }
    const a = Span.str(appId), m = Span.str(method), v = Span.str(verb), d = Span.str(data);
    const status = memory.data(4);
    let cap: usize = 4096;
    while (true) {
      const buf = new Uint8Array(<i32>cap);
      const len = memory.data(4);
      const err = abi.invoke(a.ptr, a.len, m.ptr, m.len, v.ptr, v.len, d.ptr, d.len,
                             ptrOf(buf), cap, len, status);
      this.lastHttpStatus = <u16>load<u32>(status);
      if (err == DaprStatus.BUFFER_TOO_SMALL) {
        cap = <usize>load<u32>(len);
        continue;
      }
      if (err != 0) return this.fail(err);
      this.lastStatus = DaprStatus.OK;
      return bytesToString(buf.subarray(0, <i32>load<u32>(len)));
    }
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
      body.includes("\"ERR_STATE_STORE_NOT_CONFIGURED\"")) {
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
