import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { TREND_RUN_LIMIT, useTrendRuns } from '../../hooks/useTrendRuns';
import { SizeTrendChart } from './SizeTrendChart';

/** The size trend of an entity's backups, read from its newest runs. */
export function SizeTrendCard(props: {
  entityRef: CompoundEntityRef;
  refreshKey: string;
}) {
  const {
    value: runs,
    loading,
    error,
  } = useTrendRuns(props.entityRef, props.refreshKey);
  return (
    <InfoCard
      title="Size trend"
      subheader={`Stored bytes per successful backup (newest ${TREND_RUN_LIMIT} runs)`}
    >
      {error && (
        <ResponseErrorPanel
          error={error}
          title="Could not read the runs for the size trend"
        />
      )}
      {!runs && loading && <Progress />}
      {runs && <SizeTrendChart runs={runs} />}
    </InfoCard>
  );
}
