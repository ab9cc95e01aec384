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
