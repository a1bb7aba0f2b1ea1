import { z } from 'zod';
import type { ConfigContext } from './ConfigContext';
import { field } from './describeField';

/** A filesystem path in the config, made absolute against the config file's folder. */
export function localPath(context: ConfigContext, what: string) {
  return z
    .string(field(what))
    .min(1, `must not be empty: ${what}`)
    .transform(value => context.resolvePath(value));
}
