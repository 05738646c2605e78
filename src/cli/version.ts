/** vmux's version, as `vmux --version` and the daemon's `status` report it. */
export const VERSION = '0.1.0';
