import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type { Incident } from './IncidentsStore';

/** Notifications of this plugin carry this topic, so people can filter or mute them. */
export const NOTIFICATION_TOPIC = 'backups';

/** The catalog page of an entity (the backups tab lives there). */
export function entityPageLink(entityRef: string): string {
  const ref = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
    ref.kind.toLowerCase(),
  )}/${encodeURIComponent(ref.name)}`;
}

type NotificationPayload = NotificationSendOptions['payload'];

const OPENED_TITLES: Record<Incident['kind'], string> = {
  failing: 'Backups are failing',
  stale: 'Backups are stale',
};

/** The notice that an incident opened. Its scope is the incident, so a re-send replaces it. */
export function openedNotice(incident: Incident): NotificationPayload {
  return {
    title: `${OPENED_TITLES[incident.kind]}: ${incident.entityRef}`,
    description: incident.reason,
    link: entityPageLink(incident.entityRef),
    severity: 'high',
    topic: NOTIFICATION_TOPIC,
    scope: `safekeep:incident:${incident.id}`,
    metadata: {
      entityRef: incident.entityRef,
      incident: incident.kind,
      openedAt: incident.openedAt,
    },
  };
}

/** The notice that an incident's entity is healthy again. */
export function recoveredNotice(incident: Incident): NotificationPayload {
  const what =
    incident.kind === 'failing'
      ? 'Backups succeed again'
      : 'Backups are fresh again';
  return {
    title: `${what}: ${incident.entityRef}`,
    description: `Since ${incident.openedAt} the backups were ${incident.kind}; they recovered at ${incident.closedAt}.`,
    link: entityPageLink(incident.entityRef),
    severity: 'normal',
    topic: NOTIFICATION_TOPIC,
    scope: `safekeep:incident:${incident.id}:recovered`,
    metadata: {
      entityRef: incident.entityRef,
      incident: incident.kind,
      recoveredAt: incident.closedAt,
    },
  };
}
