/** The daemon's log: lines on stderr (journald keeps them), debug lines only with `--verbose`. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export function stderrLogger(verbose: boolean, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return {
    info: (message) => write(`vmuxd: ${message}\n`),
    warn: (message) => write(`vmuxd: warning: ${message}\n`),
    debug: (message) => {
      if (verbose) write(`vmuxd: ${message}\n`);
    },
  };
}

/** For tests that do not look at the log. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, debug: () => {} };
