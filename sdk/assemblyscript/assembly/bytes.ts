// UTF-8 views of strings and a growable little-endian writer for the ABIs' encoded lists.

/** A (pointer, length) argument of the ABIs, keeping alive the buffer it points into. */
export class Span {
  constructor(readonly ptr: usize, readonly len: usize, private owner: ArrayBuffer) {}

  /** A string's UTF-8 bytes. */
  static str(s: string): Span {
    const b = String.UTF8.encode(s);
    return new Span(changetype<usize>(b), <usize>b.byteLength, b);
  }

  static bytes(b: Uint8Array): Span {
    return new Span(b.dataStart, <usize>b.length, b.buffer);
  }
}

export function ptrOf(bytes: Uint8Array): usize {
  return bytes.dataStart;
}

export function bytesToString(bytes: Uint8Array): string {
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length);
}

export function stringToBytes(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

// Buffers larger than this are dropped after the call that needed them, so one large value
// does not keep its memory for the rest of the guest's life.
const KEEP_AT_MOST: i32 = 64 << 10;

/**
 * The string arguments of one host call as UTF-8, side by side in a buffer its owner reuses
 * from call to call: once the buffer fits, encoding allocates nothing. `add` returns where the
 * string went and leaves its byte length in `len`.
 */
export class ArgBuffer {
  private buf: ArrayBuffer = new ArrayBuffer(256);
  private at: usize = 0;
  len: usize = 0;

  /** Starts a call whose strings have `units` UTF-16 code units in all. */
  begin(units: i32): void {
    const need = units * 3;  // the most UTF-8 bytes a code unit becomes
    if (need > this.buf.byteLength) this.buf = new ArrayBuffer(need);
    this.at = 0;
  }

  add(s: string): usize {
    const ptr = changetype<usize>(this.buf) + this.at;
    this.len = String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, ptr);
    this.at += this.len;
    return ptr;
  }

  /** Ends the call; lets go of a buffer grown large. */
  end(): void {
    if (this.buf.byteLength > KEEP_AT_MOST) this.buf = new ArrayBuffer(256);
  }
}

/** A result buffer reused from call to call, grown to the size the host asks for. */
export class ResultBuffer {
  private buf: ArrayBuffer = new ArrayBuffer(256);

  get ptr(): usize {
    return changetype<usize>(this.buf);
  }

  get cap(): usize {
    return <usize>this.buf.byteLength;
  }

  grow(size: usize): void {
    if (size > this.cap) this.buf = new ArrayBuffer(<i32>size);
  }

  /** The first `len` bytes as a string. */
  text(len: usize): string {
    return String.UTF8.decodeUnsafe(this.ptr, len);
  }

  /** A copy of the first `len` bytes. */
  copy(len: usize): Uint8Array {
    const out = new Uint8Array(<i32>len);
    memory.copy(out.dataStart, this.ptr, len);
    return out;
  }

  /** Lets go of a buffer grown large. */
  shrink(): void {
    if (this.buf.byteLength > KEEP_AT_MOST) this.buf = new ArrayBuffer(256);
  }
}

/** Builds `u32 count, then u32-length-prefixed byte strings` records (docs/abi.md). */
export class ListWriter {
  private data: Uint8Array = new Uint8Array(64);
  private size: i32 = 0;

  u32(v: u32): ListWriter {
    this.reserve(4);
    store<u32>(this.data.dataStart + <usize>this.size, v);
    this.size += 4;
    return this;
  }

  bytes(b: Uint8Array): ListWriter {
    this.u32(<u32>b.length);
    this.reserve(b.length);
    memory.copy(this.data.dataStart + <usize>this.size, b.dataStart, <usize>b.length);
    this.size += b.length;
    return this;
  }

  str(s: string): ListWriter {
    return this.bytes(stringToBytes(s));
  }

  finish(): Uint8Array {
    return this.data.subarray(0, this.size);
  }

  private reserve(n: i32): void {
    if (this.size + n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.size + n) cap *= 2;
    const grown = new Uint8Array(cap);
    memory.copy(grown.dataStart, this.data.dataStart, <usize>this.size);
    this.data = grown;
  }
}

/** Reads the records ListWriter writes. */
export class ListReader {
  private at: i32 = 0;
  constructor(private data: Uint8Array) {}

  u32(): u32 {
    if (this.at + 4 > this.data.length) return 0;
    const v = load<u32>(this.data.dataStart + <usize>this.at);
    this.at += 4;
    return v;
  }

  bytes(): Uint8Array {
    const n = <i32>this.u32();
    const end = min(this.at + n, this.data.length);
    const out = this.data.slice(this.at, end);
    this.at = end;
    return out;
  }

  str(): string {
    return bytesToString(this.bytes());
  }
}
