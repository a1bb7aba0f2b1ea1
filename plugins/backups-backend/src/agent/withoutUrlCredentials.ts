/**
 * A location as an agent reports it, without any credentials in its URL
 * (`s3://KEY:SECRET@bucket/...` -> `s3://bucket/...`): locations are shown in the portal and
 * stored with runs, and an agent (or a tier's config) must not be able to leak keys that way.
 */
export function withoutUrlCredentials(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, '$1');
}
