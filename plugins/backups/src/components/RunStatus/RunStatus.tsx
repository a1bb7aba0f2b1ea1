import type { ComponentType, ReactNode } from 'react';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { RunStatus as RunStatusValue } from '@safekeep/plugin-backups-common';

const STATUS: Record<
  RunStatusValue,
  { label: string; Icon: ComponentType<{ children?: ReactNode }> }
> = {
  queued: { label: 'Queued', Icon: StatusPending },
  running: { label: 'Running', Icon: StatusRunning },
  succeeded: { label: 'Succeeded', Icon: StatusOK },
  failed: { label: 'Failed', Icon: StatusError },
  partially_failed: { label: 'Partially failed', Icon: StatusWarning },
  interrupted: { label: 'Interrupted', Icon: StatusAborted },
};

export function runStatusLabel(status: RunStatusValue): string {
  return STATUS[status].label;
}

/** A run's status as an icon plus a word (the word carries the meaning, the icon the colour). */
export function RunStatus(props: {
  status: RunStatusValue;
  children?: ReactNode;
}) {
  const { label, Icon } = STATUS[props.status];
  return <Icon>{props.children ?? label}</Icon>;
}
