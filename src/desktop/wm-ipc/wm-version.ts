import { expectInteger, expectObject, expectString, readOptionalString } from './reply-shape.js';

/** A GET_VERSION reply. i3's `human_readable` looks like `4.22 (2023-01-02)`, sway's like `1.7`. */
export interface WmVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly human_readable: string;
  readonly loaded_config_file_name?: string;
}

const WHAT = 'GET_VERSION reply';

export function parseVersion(raw: unknown): WmVersion {
  const object = expectObject(raw, WHAT, 'the reply');
  const configFile = readOptionalString(object, 'loaded_config_file_name');
  return {
    major: expectInteger(object, 'major', WHAT, 'the reply'),
    minor: expectInteger(object, 'minor', WHAT, 'the reply'),
    patch: expectInteger(object, 'patch', WHAT, 'the reply'),
    human_readable: expectString(object, 'human_readable', WHAT, 'the reply'),
    ...(configFile === undefined ? {} : { loaded_config_file_name: configFile }),
  };
}
