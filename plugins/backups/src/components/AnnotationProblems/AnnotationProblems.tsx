import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import type { EntityBackupSummary } from '@safekeep/plugin-backups-common';

/** Each problem of an entity's Safekeep annotations, with the value found and how to fix it. */
export function AnnotationProblems(props: {
  problems: EntityBackupSummary['problems'];
}) {
  return (
    <InfoCard title="The backup annotations of this entity have problems">
      <Typography variant="body1" paragraph>
        No backup runs until these are fixed in the entity's catalog-info.yaml.
        The catalog picks the fix up at its next refresh.
      </Typography>
      <Table size="small" aria-label="Annotation problems">
        <TableHead>
          <TableRow>
            <TableCell>Annotation</TableCell>
            <TableCell>Value</TableCell>
            <TableCell>Problem</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.problems.map((problem, index) => (
            <TableRow key={`${problem.annotation}-${index}`}>
              <TableCell>
                <code>{problem.annotation}</code>
              </TableCell>
              <TableCell>
                {problem.value === undefined ? (
                  <em>not set</em>
                ) : (
                  <code>{problem.value}</code>
                )}
              </TableCell>
              <TableCell>{problem.message}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </InfoCard>
  );
}
