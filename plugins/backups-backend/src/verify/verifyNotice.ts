import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import {
  entityPageLink,
  NOTIFICATION_TOPIC,
} from '../incidents/incidentMessages';
import type { StoredVerification } from './VerificationsStore';

/** The notice that a snapshot failed its scheduled verify; one per snapshot and tier. */
export function verifyFailedNotice(
  v: StoredVerification,
): NotificationSendOptions['payload'] {
  return {
    title: `A backup failed verification: ${v.entityRef}`,
    description: `Snapshot ${v.snapshotId} in tier ${v.tier} no longer matches its manifest (${v.problem}). It is flagged: retention does not count it as a good backup, and restores refuse it. Check the storage; take a new backup.`,
    link: entityPageLink(v.entityRef),
    severity: 'high',
    topic: NOTIFICATION_TOPIC,
    scope: `safekeep:verify:${v.entityRef}:${v.tier}:${v.snapshotId}`,
    metadata: {
      entityRef: v.entityRef,
      snapshotId: v.snapshotId,
      tier: v.tier,
    },
  };
}
