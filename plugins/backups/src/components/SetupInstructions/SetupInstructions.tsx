import Typography from '@material-ui/core/Typography';
import { CodeSnippet, EmptyState } from '@backstage/core-components';
import type { Entity } from '@backstage/catalog-model';
import { setupYaml } from './setupYaml';

/** What an entity without a backup policy shows: the annotations to add, ready to paste. */
export function SetupInstructions(props: { entity: Entity }) {
  return (
    <EmptyState
      missing="field"
      title="Backups are not set up for this entity"
      description={
        <>
          <Typography variant="body1" paragraph>
            Add Safekeep annotations to this entity's catalog-info.yaml. Replace
            the agent with an agent name from <code>backups.agents</code> in
            app-config, and the target with a target name from that agent's
            configuration. Credentials stay in the agent's configuration, never
            in annotations.
          </Typography>
          <Typography variant="body2">
            The catalog picks the change up at its next refresh; this tab then
            shows the backup health.
          </Typography>
        </>
      }
      action={
        <CodeSnippet
          text={setupYaml(props.entity)}
          language="yaml"
          showCopyCodeButton
          customStyle={{ textAlign: 'left' }}
        />
      }
    />
  );
}
