import { useState } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useSizeSeries } from '../../hooks/useSizeSeries';
import { SizeTrendChart, TrendWindow } from './SizeTrendChart';

/** The size trend of an entity's backups, read from the backend's sizes route. */
export function SizeTrendCard(props: {
  entityRef: CompoundEntityRef;
  refreshKey: string;
}) {
  const [windowDays, setWindowDays] = useState<TrendWindow>(30);
  const {
    value: series,
    loading,
    error,
  } = useSizeSeries(props.entityRef, windowDays, props.refreshKey);
  return (
    <InfoCard
      title="Size trend"
      subheader="Size of a restore and new bytes stored, per successful backup"
    >
      {error && (
        <ResponseErrorPanel
          error={error}
          title="Could not read the sizes for the size trend"
        />
      )}
      {!series && loading && <Progress aria-label="Loading the size trend" />}
      {series && (
        <SizeTrendChart
          series={series}
          windowDays={windowDays}
          onWindowChange={setWindowDays}
        />
      )}
    </InfoCard>
  );
}
