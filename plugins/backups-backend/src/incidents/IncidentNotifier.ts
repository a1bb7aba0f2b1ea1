import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Incident } from './IncidentsStore';
import { openedNotice, recoveredNotice } from './incidentMessages';

export type NoticeKind = 'opened' | 'recovered';

/**
 * Sends incident notices to the entity's owner through Backstage notifications, and audits
 * each one (`backup-notification-send`). Returns false when sending failed (retried later).
 */
export class IncidentNotifier {
  constructor(
    private readonly options: {
      notifications: NotificationService;
      auditor: AuditorService;
      logger: LoggerService;
    },
  ) {}

  async send(incident: Incident, notice: NoticeKind): Promise<boolean> {
    const { notifications, auditor, logger } = this.options;
    if (!incident.owner) {
      logger.warn(
        `Backups of ${incident.entityRef} are ${incident.kind}${
          notice === 'recovered' ? ' no more' : ''
        }, but the entity has no spec.owner: nobody was notified`,
      );
      return true;
    }
    const audit = await auditor.createEvent({
      eventId: 'backup-notification-send',
      severityLevel: 'low',
      meta: {
        entityRef: incident.entityRef,
        incident: incident.kind,
        incidentId: incident.id,
        notice,
        recipient: incident.owner,
      },
    });
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: incident.owner },
        payload:
          notice === 'opened'
            ? openedNotice(incident)
            : recoveredNotice(incident),
      });
      await audit.success();
      return true;
    } catch (error) {
      await audit.fail({ error: error as Error });
      logger.error(
        `Could not notify ${incident.owner} that backups of ${
          incident.entityRef
        } ${
          notice === 'opened' ? `are ${incident.kind}` : 'recovered'
        }; will retry`,
        error as Error,
      );
      return false;
    }
  }
}
