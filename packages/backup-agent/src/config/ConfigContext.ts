import os from 'node:os';
import path from 'node:path';

/** What schemas need to turn config values into absolute, usable settings. */
export interface ConfigContext {
  /** Folder of the config file: relative paths in it are resolved against this folder. */
  baseDir: string;
  resolvePath(value: string): string;
}

export function createConfigContext(baseDir: string): ConfigContext {
  return {
    baseDir,
    resolvePath(value) {
      if (value === '~' || value.startsWith('~/'))
        return path.join(os.homedir(), value.slice(1));
      return path.resolve(baseDir, value);
    },
  };
}
