import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { CodeSnippet, InfoCard, Link } from '@backstage/core-components';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import type { UnprotectedResource } from '@safekeep/plugin-backups-common';
import { setupYaml } from '../SetupInstructions';
import { entityDisplayName } from './TeamEntitiesTable';

/** Enough of an Entity for setupYaml: the ref's parts and the resource type (which picks the engine). */
function entityOf(resource: UnprotectedResource): Entity {
  const { kind, namespace, name } = parseEntityRef(resource.entityRef);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: kind.charAt(0).toUpperCase() + kind.slice(1),
    metadata: { name, namespace },
    spec: resource.type ? { type: resource.type } : {},
  };
}

/** Resources that hold data but have no backup policy, each with the annotations to add. */
export function UnprotectedResourcesCard(props: {
  resources: UnprotectedResource[];
}) {
  const entityRoute = useRouteRef(entityRouteRef);
  const { resources } = props;
  return (
    <InfoCard
      title={`Unprotected resources (${resources.length})`}
      subheader="Resources that hold data and have no backup policy"
    >
      {resources.length === 0 ? (
        <Typography variant="body2">
          Every data-holding resource of this team has a backup policy.
        </Typography>
      ) : (
        resources.map(resource => {
          const name = entityDisplayName(resource);
          return (
            <Accordion key={resource.entityRef} variant="outlined">
              <AccordionSummary
                expandIcon={<ExpandMoreIcon />}
                aria-label={`Annotations to add to ${name}`}
              >
                <Typography variant="body1">
                  {name}
                  {resource.type && (
                    <Typography
                      component="span"
                      variant="body2"
                      color="textSecondary"
                    >
                      {' '}
                      ({resource.type})
                    </Typography>
                  )}
                </Typography>
              </AccordionSummary>
              <AccordionDetails style={{ display: 'block' }}>
                <Typography variant="body2" paragraph>
                  Add these annotations to the catalog-info.yaml of{' '}
                  <Link to={entityRoute(entityRouteParams(resource.entityRef))}>
                    {resource.entityRef}
                  </Link>
                  , with an agent from <code>backups.agents</code> and a target
                  from that agent's configuration:
                </Typography>
                <CodeSnippet
                  text={setupYaml(entityOf(resource))}
                  language="yaml"
                  showCopyCodeButton
                />
              </AccordionDetails>
            </Accordion>
          );
        })
      )}
    </InfoCard>
  );
}
