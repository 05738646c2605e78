const NEWLINE = 0x0a;

/** One item out of the decoder: a complete line, or the news that a line was too long. */
export type DecodedLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too-long'; readonly bytes: number };

/**
 * Splits a byte stream into newline-terminated UTF-8 lines, whatever the chunking. A line longer
 * than `maxBytes` is reported once as `too-long` and its bytes are dropped as they arrive, so a
 * client cannot make the daemon hold an unbounded line. A pure class: no I/O, no timers.
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of an over-long line still being discarded (until its newline). */
  private discarding = false;
  private discardedBytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): DecodedLine[] {
    const out: DecodedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk.subarray(start, end), out);
      if (newline === -1) break;
      this.finishLine(out);
      start = newline + 1;
    }
    return out;
  }

  /** Bytes held for an unfinished line. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private take(piece: Buffer, out: DecodedLine[]): void {
    if (piece.length === 0) return;
    if (this.discarding) {
      this.discardedBytes += piece.length;
      return;
    }
    if (this.pendingBytes + piece.length > this.maxBytes) {
      this.discarding = true;
      this.discardedBytes = this.pendingBytes + piece.length;
      this.pending = [];
      this.pendingBytes = 0;
      // Reported as soon as it is known, so the client hears of it without sending a newline.
      out.push({ kind: 'too-long', bytes: this.discardedBytes });
      return;
    }
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private finishLine(out: DecodedLine[]): void {
    if (this.discarding) {
      this.discarding = false;
      this.discardedBytes = 0;
      return;
    }
    const text = Buffer.concat(this.pending, this.pendingBytes).toString('utf8').replace(/\r$/, '');
    this.pending = [];
    this.pendingBytes = 0;
    if (text.trim() !== '') out.push({ kind: 'line', text });
  }
}
