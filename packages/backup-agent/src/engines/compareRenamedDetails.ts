import { compareDetails } from '../snapshots/compareDetails';

type Databases = Record<string, unknown>;

function databasesOf(details: Record<string, unknown>): Databases {
  const value = details.databases;
  return value && typeof value === 'object' ? (value as Databases) : {};
}

/**
 * Row counts per database and table, in details shaped `{ databases: { <db>: ... } }`. A
 * snapshot of one database restored under another name (restore --to) is compared with it.
 */
export function compareRenamedDetails(
  recorded: Record<string, unknown>,
  observed: Record<string, unknown>,
): string[] {
  const before = databasesOf(recorded);
  let after = databasesOf(observed);
  const [source] = Object.keys(before);
  const [destination] = Object.keys(after);
  const renamed =
    Object.keys(before).length === 1 &&
    Object.keys(after).length === 1 &&
    source !== destination;
  if (renamed) after = { [source]: after[destination] };
  const differences = compareDetails(
    { databases: before },
    { databases: after },
  );
  return renamed
    ? differences.map(d =>
        d.replace(
          `databases.${source}.`,
          `databases.${source} (restored as ${destination}).`,
        ),
      )
    : differences;
}
