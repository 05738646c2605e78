// smol-toml, bundled apart from vmux's commands: see src/settings/load-toml-parser.ts.
export * from 'smol-toml';
