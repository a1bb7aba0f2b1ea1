import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  Entity,
  getCompoundEntityRef,
  RELATION_HAS_PART,
} from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import {
  EntityRefLinks,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import { ANNOTATION_CONSISTENCY_GROUP } from '@safekeep/plugin-backups-common';
import { RestoresCard } from '../RestoresCard';

/** A System whose parts are backed up and restored together, as one consistency group. */
export function isConsistencyGroupSystem(entity: Entity): boolean {
  return (
    entity.kind.toLowerCase() === 'system' &&
    Boolean(entity.metadata.annotations?.[ANNOTATION_CONSISTENCY_GROUP])
  );
}

/**
 * A consistency group's Backups tab: what the group is, its parts, and group restores (every
 * member from the same backup window, in order, approved by someone else).
 */
export function ConsistencyGroupContent(props: { entity: Entity }) {
  const { entity } = props;
  const group = entity.metadata.annotations![ANNOTATION_CONSISTENCY_GROUP];
  const parts = getEntityRelations(entity, RELATION_HAS_PART);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title={`Consistency group ${group}`}>
          <Typography variant="body2" paragraph>
            The members of this group that have a backup policy are backed up in
            one window: containers that must stop are stopped together and
            started again together. A restore of the system restores every
            member from the newest window all of them have, one after the other;
            it is refused when any member has no backup in that window.
          </Typography>
          <Typography variant="body2" component="div">
            Parts of the system:{' '}
            {parts.length > 0 ? (
              <EntityRefLinks entityRefs={parts} defaultKind="resource" />
            ) : (
              'none in the catalog'
            )}
            . Their own Backups tabs show each member's runs.
          </Typography>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <RestoresCard entityRef={getCompoundEntityRef(entity)} group />
      </Grid>
    </Grid>
  );
}
