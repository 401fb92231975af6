/**
 * A small gzip decoder (RFC 1952 framing around RFC 1951 DEFLATE). Web
 * `DecompressionStream` costs several milliseconds of stream set-up in a
 * fresh process; the archives the reference reads are small, so decoding
 * them here keeps `pull` start-up low. Canonical Huffman codes are decoded
 * bit by bit; the length of the output is checked against the gzip trailer.
 *
 * @module
 */

/** Largest output one archive may inflate to. */
export const INFLATED_BYTES_MAX = 64 * 1024 * 1024;

const LENGTH_BASE = [
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
];
const LENGTH_EXTRA = [
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
];
const DIST_BASE = [
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
];
const DIST_EXTRA = [
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function buildHuffman(lengths: ArrayLike<number>): Huffman {
  const counts = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  const offsets = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) {
    if (lengths[i] !== 0) symbols[offsets[lengths[i]]++] = i;
  }
  return { counts, symbols };
}

class Inflater {
  private readonly input: Uint8Array;
  private pos: number;
  private bitBuf = 0;
  private bitCount = 0;
  private out: Uint8Array;
  private outLen = 0;

  constructor(input: Uint8Array, start: number, sizeHint: number) {
    this.input = input;
    this.pos = start;
    this.out = new Uint8Array(Math.max(1024, Math.min(sizeHint, INFLATED_BYTES_MAX)));
  }

  private bits(count: number): number {
    let value = this.bitBuf;
    while (this.bitCount < count) {
      if (this.pos >= this.input.length) throw new Error("Truncated deflate data");
      value |= this.input[this.pos++] << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuf = value >>> count;
    this.bitCount -= count;
    return value & ((1 << count) - 1);
  }

  private ensure(extra: number): void {
    const needed = this.outLen + extra;
    if (needed <= this.out.length) return;
    if (needed > INFLATED_BYTES_MAX) throw new Error("Inflated data exceeds the size limit");
    const grown = new Uint8Array(
      Math.min(INFLATED_BYTES_MAX, Math.max(needed, this.out.length * 2)),
    );
    grown.set(this.out.subarray(0, this.outLen));
    this.out = grown;
  }

  private decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= 15; len++) {
      code |= this.bits(1);
      const count = h.counts[len];
      if (code - count < first) return h.symbols[index + (code - first)];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    throw new Error("Invalid Huffman code");
  }

  private stored(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.input.length) throw new Error("Truncated stored block");
    const len = this.input[this.pos] | (this.input[this.pos + 1] << 8);
    const nlen = this.input[this.pos + 2] | (this.input[this.pos + 3] << 8);
    if ((len ^ 0xffff) !== nlen) throw new Error("Invalid stored block length");
    this.pos += 4;
    if (this.pos + len > this.input.length) throw new Error("Truncated stored block");
    this.ensure(len);
    this.out.set(this.input.subarray(this.pos, this.pos + len), this.outLen);
    this.outLen += len;
    this.pos += len;
  }

  private codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      const symbol = this.decode(lit);
      if (symbol < 256) {
        this.ensure(1);
        this.out[this.outLen++] = symbol;
        continue;
      }
      if (symbol === 256) return;
      const li = symbol - 257;
      if (li >= 29) throw new Error("Invalid length symbol");
      const length = LENGTH_BASE[li] + this.bits(LENGTH_EXTRA[li]);
      const di = this.decode(dist);
      if (di >= 30) throw new Error("Invalid distance symbol");
      const distance = DIST_BASE[di] + this.bits(DIST_EXTRA[di]);
      if (distance > this.outLen) throw new Error("Distance too far back");
      this.ensure(length);
      for (let i = 0; i < length; i++) {
        this.out[this.outLen] = this.out[this.outLen - distance];
        this.outLen++;
      }
    }
  }

  private dynamicTables(): [Huffman, Huffman] {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new Error("Invalid dynamic block counts");
    const codeLengths = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) codeLengths[CODE_LENGTH_ORDER[i]] = this.bits(3);
    const codeHuffman = buildHuffman(codeLengths);
    const lengths = new Uint8Array(nlen + ndist);
    let index = 0;
    while (index < nlen + ndist) {
      const symbol = this.decode(codeHuffman);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      let value = 0;
      let repeat: number;
      if (symbol === 16) {
        if (index === 0) throw new Error("Repeat with no previous length");
        value = lengths[index - 1];
        repeat = 3 + this.bits(2);
      } else if (symbol === 17) {
        repeat = 3 + this.bits(3);
      } else {
        repeat = 11 + this.bits(7);
      }
      if (index + repeat > nlen + ndist) throw new Error("Too many code lengths");
      for (let i = 0; i < repeat; i++) lengths[index++] = value;
    }
    return [buildHuffman(lengths.subarray(0, nlen)), buildHuffman(lengths.subarray(nlen))];
  }

  run(): { output: Uint8Array; end: number } {
    let fixed: [Huffman, Huffman] | null = null;
    for (let last = 0; last === 0;) {
      last = this.bits(1);
      const type = this.bits(2);
      if (type === 0) {
        this.stored();
      } else if (type === 1) {
        fixed ??= fixedTables();
        this.codes(fixed[0], fixed[1]);
      } else if (type === 2) {
        const [lit, dist] = this.dynamicTables();
        this.codes(lit, dist);
      } else {
        throw new Error("Invalid deflate block type");
      }
    }
    return { output: this.out.slice(0, this.outLen), end: this.pos };
  }
}

function fixedTables(): [Huffman, Huffman] {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  return [buildHuffman(lengths), buildHuffman(new Uint8Array(30).fill(5))];
}

/** Inflates raw DEFLATE data starting at `start`. */
export function inflateRaw(input: Uint8Array, start = 0): { output: Uint8Array; end: number } {
  return new Inflater(input, start, input.length * 4).run();
}

/** Decodes one gzip member; the output length must match the trailer's ISIZE. */
export function gunzipSync(input: Uint8Array): Uint8Array {
  if (input.length < 18 || input[0] !== 0x1f || input[1] !== 0x8b || input[2] !== 8) {
    throw new Error("Not gzip data");
  }
  const flags = input[3];
  let pos = 10;
  if (flags & 4) pos += 2 + (input[pos] | (input[pos + 1] << 8));
  if (flags & 8) { while (pos < input.length && input[pos++] !== 0); }
  if (flags & 16) { while (pos < input.length && input[pos++] !== 0); }
  if (flags & 2) pos += 2;
  const { output, end } = inflateRaw(input, pos);
  if (end + 8 > input.length) throw new Error("Truncated gzip trailer");
  const size = (input[end + 4] | (input[end + 5] << 8) | (input[end + 6] << 16) |
    (input[end + 7] << 24)) >>> 0;
  if (size !== (output.length >>> 0)) throw new Error("Gzip length mismatch");
  return output;
}
