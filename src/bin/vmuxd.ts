#!/usr/bin/env node
// The daemon is not part of this build yet; say so plainly and fail.
process.stderr.write('vmuxd: the daemon is not available in this version yet; use `vmux list`, which scans directly.\n');
process.exitCode = 1;
