// Outbound HTTP through `wasi_experimental_http`: a request builder and its response.
import * as raw from "./http_abi";
import { Span, ptrOf, bytesToString, ArgBuffer } from "./bytes";

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

const CHUNK: i32 = 4096;
const KEEP_AT_MOST: i32 = 64 << 10;

// Shared by every request and response of the guest, which makes one call at a time: once
// grown, sending a request and reading a body allocate nothing but the result.
const requestArgs = new ArgBuffer();
let bodyBuffer = new Uint8Array(CHUNK);
const NO_BODY = new Uint8Array(0);

export class Response {
  private closed: bool = false;
  constructor(public status: u16, public handle: u32) {}

  /** The first value of a header (case-insensitive), or null when absent. */
  headerGet(name: string): string | null {
    const n = Span.str(name);
    let cap: usize = 128;
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
    const total = this.readIntoBodyBuffer();
    const body = bodyBuffer.slice(0, total);
    releaseBodyBuffer();
    return body;
  }

  bodyText(): string {
    const total = this.readIntoBodyBuffer();
    const text = String.UTF8.decodeUnsafe(bodyBuffer.dataStart, <usize>total);
    releaseBodyBuffer();
    return text;
  }

  // Reads the rest of the body into the shared buffer, doubled whenever it is full; the length.
  private readIntoBodyBuffer(): i32 {
    let total = 0;
    const written = memory.data(4);
    while (true) {
      if (total == bodyBuffer.length) {
        const grown = new Uint8Array(bodyBuffer.length * 2);
        memory.copy(grown.dataStart, bodyBuffer.dataStart, <usize>total);
        bodyBuffer = grown;
      }
      const room = <usize>(bodyBuffer.length - total);
      const at = bodyBuffer.dataStart + <usize>total;
      if (raw.body_read(this.handle, at, room, written) != 0) break;
      const n = <i32>load<u32>(written);
      if (n == 0) break;
      total += n;
    }
    return total;
  }

  close(): void {
    if (this.closed) return;
    raw.close(this.handle);
    this.closed = true;
  }
}

// Lets go of a body buffer grown large, so one large body does not keep its memory.
function releaseBodyBuffer(): void {
  if (bodyBuffer.length > KEEP_AT_MOST) bodyBuffer = new Uint8Array(CHUNK);
}

export class RequestBuilder {
  private verb: Method = Method.GET;
  private headerLines: string = "";
  private payload: Uint8Array = NO_BODY;
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
    const method = methodName(this.verb);
    const a = requestArgs;
    a.begin(this.url.length + method.length + this.headerLines.length);
    const u = a.add(this.url), ul = a.len, m = a.add(method), ml = a.len;
    const h = a.add(this.headerLines), hl = a.len;
    const out = memory.data(8);  // u16 status at +0, u32 handle at +4
    const err = raw.req(u, ul, m, ml, h, hl, ptrOf(this.payload), <usize>this.payload.length,
                        out, out + 4);
    a.end();
    this.lastError = err;
    if (err != 0) return null;
    return new Response(load<u16>(out), load<u32>(out + 4));
  }
}
