// Outbound HTTP through `wasi_experimental_http`: a request builder and its response.
import * as raw from "./http_abi";
import { Span, ptrOf, bytesToString } from "./bytes";

export enum Method {
  GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS,
}

function methodName(m: Method): string {
  switch (m) {
    case Method.GET: return "GET";
    case Method.HEAD: return "HEAD";
    case Method.POST: return "POST";
    case Method.PUT: return "PUT";
    case Method.DELETE: return "DELETE";
    case Method.PATCH: return "PATCH";
    default: return "OPTIONS";
  }
}

/** A failed call: the ABI's error code (docs/abi.md) and its name. */
export class HttpError {
  constructor(public code: u32) {}
  get name(): string {
    const names = [
      "success", "invalid handle", "memory not found", "memory access error",
      "buffer too small", "header not found", "UTF-8 error", "destination not allowed",
      "invalid method", "invalid encoding", "invalid URL", "request error", "runtime error",
      "too many sessions",
    ];
    return this.code < <u32>names.length ? names[this.code] : "unknown error";
  }
}

const CHUNK: usize = 4096;

export class Response {
  private closed: bool = false;
  constructor(public status: u16, public handle: u32) {}

  /** The first value of a header (case-insensitive), or null when absent. */
  headerGet(name: string): string | null {
    const n = Span.str(name);
    let cap: usize = 1024;
    const written = memory.data(4);
    while (cap <= 1 << 20) {
      const buf = new Uint8Array(<i32>cap);
      const err = raw.header_get(this.handle, n.ptr, n.len, ptrOf(buf), cap, written);
      if (err == 0) return bytesToString(buf.subarray(0, <i32>load<u32>(written)));
      if (err != 4) return null;
      cap <<= 1;
    }
    return null;
  }

  /** Every header as `name:value\n` lines. */
  headersGetAll(): string {
    let cap: usize = 4096;
    const written = memory.data(4);
    while (cap <= 1 << 22) {
      const buf = new Uint8Array(<i32>cap);
      const err = raw.headers_get_all(this.handle, ptrOf(buf), cap, written);
      if (err == 0) return bytesToString(buf.subarray(0, <i32>load<u32>(written)));
      if (err != 4) return "";
      cap <<= 1;
    }
    return "";
  }

  /** Reads the rest of the body, chunk by chunk, until the host reports its end. */
  bodyReadAll(): Uint8Array {
    const chunks = new Array<Uint8Array>();
    let total = 0;
    const written = memory.data(4);
    while (true) {
      const buf = new Uint8Array(<i32>CHUNK);
      if (raw.body_read(this.handle, ptrOf(buf), CHUNK, written) != 0) break;
      const n = <i32>load<u32>(written);
      if (n == 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
    }
    const body = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < chunks.length; i++) {
      body.set(chunks[i], at);
      at += chunks[i].length;
    }
    return body;
  }

  bodyText(): string {
    return bytesToString(this.bodyReadAll());
  }

  close(): void {
    if (this.closed) return;
    raw.close(this.handle);
    this.closed = true;
  }
}

export class RequestBuilder {
  private verb: Method = Method.GET;
  private headerLines: string = "";
  private payload: Uint8Array = new Uint8Array(0);
  /** The error code of the last failed send(), 0 when it succeeded. */
  lastError: u32 = 0;

  constructor(private url: string) {}

  method(m: Method): RequestBuilder {
    this.verb = m;
    return this;
  }

  header(name: string, value: string): RequestBuilder {
    this.headerLines += name + ":" + value + "\n";
    return this;
  }

  body(bytes: Uint8Array): RequestBuilder {
    this.payload = bytes;
    return this;
  }

  text(s: string): RequestBuilder {
    this.payload = Uint8Array.wrap(String.UTF8.encode(s));
    return this;
  }

  /** Sends the request; null on failure (the code is in lastError). */
  send(): Response | null {
    const url = Span.str(this.url);
    const method = Span.str(methodName(this.verb));
    const headers = Span.str(this.headerLines);
    const out = memory.data(8);  // u16 status at +0, u32 handle at +4
    const err = raw.req(
      url.ptr, url.len, method.ptr, method.len, headers.ptr, headers.len,
      ptrOf(this.payload), <usize>this.payload.length, out, out + 4,
    );
    this.lastError = err;
    if (err != 0) return null;
    return new Response(load<u16>(out), load<u32>(out + 4));
  }
}
