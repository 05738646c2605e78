import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Why a file was not read: it is not a plain file, or it is larger than the reader accepts. */
export class UnreadableFileError extends Error {
  readonly code: 'NOT_REGULAR_FILE' | 'FILE_TOO_LARGE';

  constructor(code: 'NOT_REGULAR_FILE' | 'FILE_TOO_LARGE', message: string) {
    super(message);
    this.name = 'UnreadableFileError';
    this.code = code;
  }
}

export interface RegularFileOptions {
  /** A larger file is refused whole, never read in part. */
  readonly maxBytes: number;
  /** Refuse a symbolic link instead of following it (files vmux writes itself). */
  readonly noFollow?: boolean;
}

/**
 * Opens a file for reading without ever blocking: a FIFO, socket or device planted where a file
 * is expected (by another user, or by accident) is refused instead of freezing the caller, and a
 * file is read only up to `maxBytes`. The returned descriptor is a regular file; the caller closes it.
 */
export function openRegularFile(path: string, options: Pick<RegularFileOptions, 'noFollow'> = {}): { fd: number; size: number } {
  // O_NONBLOCK makes open() of a FIFO return at once; on a regular file it changes nothing.
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
  const fd = openSync(path, flags);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableFileError('NOT_REGULAR_FILE', `${path} is not a regular file`);
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The whole of a small regular file; throws `UnreadableFileError` for anything else, fs errors as they are. */
export function readRegularFile(path: string, options: RegularFileOptions): Buffer {
  const { fd, size } = openRegularFile(path, options);
  try {
    if (size > options.maxBytes) {
      throw new UnreadableFileError('FILE_TOO_LARGE', `${path} is ${size} bytes, more than the ${options.maxBytes} vmux reads`);
    }
    // One byte more than allowed tells a file that grew past the bound since fstat.
    let buffer = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > options.maxBytes) {
          throw new UnreadableFileError('FILE_TOO_LARGE', `${path} grew past the ${options.maxBytes} bytes vmux reads`);
        }
        const grown = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function readRegularTextFile(path: string, options: RegularFileOptions): string {
  return readRegularFile(path, options).toString('utf8');
}
