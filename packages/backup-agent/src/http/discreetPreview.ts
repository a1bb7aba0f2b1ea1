import type { DryRunResult } from '../snapshots/dryRunRestore';

const SAYS = {
  'not-empty':
    'the destination holds data; restore with force to overwrite it, or into another declared destination',
  destination: 'the destination could not be inspected (see the agent log)',
  'live-data':
    "the destination is, lies in or holds the target's own live data; declare one outside it in the agent config (see the agent log)",
};

const SUMMARY = { null: 'not inspected', true: 'empty', false: 'holds data' };

/**
 * A dry run as a requester sees it over HTTP: whether the destination is empty, nothing about
 * what is there (no table names, entry counts or file-system errors); the agent's log keeps the
 * details.
 */
export function discreetPreview(
  result: DryRunResult,
  log: (message: string) => void,
): DryRunResult {
  for (const r of result.refusalDetails)
    if (r.reason === 'destination' || r.reason === 'live-data')
      log(`dry run: ${r.message}`);
  const refusalDetails = result.refusalDetails.map(r =>
    r.reason === 'not-empty' ||
    r.reason === 'destination' ||
    r.reason === 'live-data'
      ? { ...r, message: SAYS[r.reason] }
      : r,
  );
  const { empty } = result.destination;
  return {
    ...result,
    refusals: refusalDetails.map(r => r.message),
    refusalDetails,
    destination: {
      ...result.destination,
      summary: SUMMARY[String(empty) as keyof typeof SUMMARY],
    },
  };
}
