/**
 * Snapshot ids are UTC timestamps, `20260118T040000Z`, with `-2`, `-3`... when one is taken.
 * Shared so that the backend refuses a malformed id (400) before it asks an agent.
 */
export const SNAPSHOT_ID_PATTERN =
  /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d{1,4}))?$/;
