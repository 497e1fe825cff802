/**
 * Reads a RowBinary answer (`Store.queryBinary`) value by value, in ClickHouse's layout:
 * little-endian numbers, strings and arrays led by their length as an unsigned LEB128.
 */
export class RowBinaryReader {
  /** The next byte to read. */
  at = 0;
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.at >= this.bytes.byteLength;
  }

  /** A string's or an array's length. */
  varint(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.bytes[this.at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  }

  float64(): number {
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  string(): string {
    const length = this.varint();
    return decoder.decode(this.bytes.subarray(this.at, (this.at += length)));
  }
}

const decoder = new TextDecoder();
