import type { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { StoredRestore } from './RestoresStore';

const TOPIC = 'safekeep-restores';

/** The entity's Backups tab, where requests, approvals and history show. */
export function backupsTabLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind,
  )}/${encodeURIComponent(name)}/backups`;
}

function duration(ms: number | null): string {
  if (ms === null) return '';
  const seconds = Math.round(ms / 1000);
  return seconds < 120
    ? ` in ${seconds} s`
    : ` in ${Math.round(seconds / 60)} min`;
}

/**
 * Backstage notifications about restores: the owners and the configured approvers when a request waits,
 * the requester when it is decided, expires or finishes, the owners when a drill fails.
 * A notification that cannot be sent is logged; it never fails the restore itself.
 */
export class RestoreNotifier {
  constructor(
    private readonly options: {
      notifications?: NotificationService;
      logger: LoggerService;
      /** `backups.restores.approvers`: told of every waiting request, with the owners. */
      approvers?: string[];
    },
  ) {}

  private async send(
    entityRefs: string[],
    exclude: string | undefined,
    payload: {
      title: string;
      description: string;
      link: string;
      severity: 'low' | 'normal' | 'high' | 'critical';
    },
  ) {
    const { notifications, logger } = this.options;
    const recipients = entityRefs.filter(Boolean);
    if (!notifications || recipients.length === 0) return;
    try {
      await notifications.send({
        recipients: {
          type: 'entity',
          entityRef: recipients,
          ...(exclude ? { excludeEntityRef: exclude } : {}),
        },
        payload: { ...payload, topic: TOPIC },
      });
    } catch (error) {
      logger.warn(
        `Could not send the notification "${payload.title}": ${
          (error as Error).message
        }`,
      );
    }
  }

  /**
   * A new request waits for someone other than the requester: the owners (of the entity, and of
   * the entity restored into, if another) and the configured approvers hear of it.
   */
  async waiting(
    request: StoredRestore,
    ownerRefs: Array<string | undefined>,
  ): Promise<void> {
    const recipients = [
      ...new Set([
        ...ownerRefs.map(ref => ref ?? ''),
        ...(this.options.approvers ?? []),
      ]),
    ];
    await this.send(recipients, request.requestedBy, {
      title: `Restore of ${request.entityRef} waits for approval`,
      description: `${request.requestedBy} asks to restore snapshot ${request.snapshotId}: "${request.reason}". It expires at ${request.expiresAt}.`,
      link: backupsTabLink(request.entityRef),
      severity: 'high',
    });
  }

  async decided(request: StoredRestore): Promise<void> {
    const approved = request.status === 'approved';
    await this.send([request.requestedBy], undefined, {
      title: `Your restore of ${request.entityRef} was ${
        approved ? 'approved' : 'rejected'
      }`,
      description: `${request.decidedBy} ${
        approved ? 'approved' : 'rejected'
      } it${request.decisionComment ? `: "${request.decisionComment}"` : ''}.${
        approved ? ' It starts shortly.' : ''
      }`,
      link: backupsTabLink(request.entityRef),
      severity: 'normal',
    });
  }

  async expired(request: StoredRestore): Promise<void> {
    await this.send([request.requestedBy], undefined, {
      title: `Your restore of ${request.entityRef} expired`,
      description: request.error ?? 'It was not approved and started in time.',
      link: backupsTabLink(request.entityRef),
      severity: 'normal',
    });
  }

  async finished(
    request: StoredRestore,
    ownerRef: string | undefined,
  ): Promise<void> {
    const ok = request.status === 'succeeded';
    if (request.drill) {
      // Drills nobody asked for: only a failure is news, for the owners.
      if (!ok) {
        await this.send(ownerRef ? [ownerRef] : [], undefined, {
          title: `Restore drill of ${request.entityRef} failed`,
          description: request.error ?? 'The drill failed.',
          link: backupsTabLink(request.entityRef),
          severity: 'high',
        });
      }
      return;
    }
    await this.send([request.requestedBy], undefined, {
      title: `Restore of ${request.entityRef} ${
        ok ? 'succeeded' : 'failed'
      }${duration(request.durationMs)}`,
      description: ok
        ? `Snapshot ${request.snapshotId} was restored and its check matched the backup.`
        : request.error ?? 'The restore failed.',
      link: backupsTabLink(request.entityRef),
      severity: ok ? 'normal' : 'critical',
    });
  }
}
