/**
 * zod parameters that make "required" and "wrong type" errors say what the field is for,
 * so `targets.app-db.path: required: the SQLite database file to back up` tells the fix.
 */
export function field(
  what: string,
  type: 'text' | 'a number' | 'a list' | 'true or false' | 'an object' = 'text',
) {
  return {
    required_error: `required: ${what}`,
    invalid_type_error: `must be ${type}: ${what}`,
  };
}
