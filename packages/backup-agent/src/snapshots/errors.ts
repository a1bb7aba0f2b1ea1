/** Something the caller asked for does not exist: unknown target, tier or snapshot. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * A restore that must not happen, decided before the destination is touched. `forceable`
 * says whether --force may override it (only "destination is not empty" can).
 */
export class RestoreRefusedError extends Error {
  constructor(
    message: string,
    readonly reason:
      | 'manifest'
      | 'engine'
      | 'version'
      | 'not-empty'
      | 'checksum'
      | 'key'
      | 'dependency'
      | 'live-data',
    readonly forceable = false,
  ) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

/** A destination that must not be dropped: it is (or holds, or lies in) the target's own data. */
export class DropRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DropRefusedError';
  }
}

/** Something this target's engine cannot do (HTTP 501). */
export class NotSupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSupportedError';
  }
}
