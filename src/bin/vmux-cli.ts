// The whole CLI, bundled apart from the `vmux` entry so that `vmux list` through the daemon does
// not load it.
export { runCli } from '../cli/run-cli.js';
