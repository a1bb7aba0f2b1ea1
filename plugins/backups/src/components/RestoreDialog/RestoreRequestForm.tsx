import { useState } from 'react';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Select from '@material-ui/core/Select';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import type {
  AgentSnapshot,
  CreateRestoreRequest,
  TargetListItem,
} from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { formatAbsoluteTime } from '../../format/time';

export interface RestoreFormValues {
  snapshotId: string;
  destinationKind: 'in-place' | 'other' | 'entity';
  path: string;
  /** `entity`: the entity whose target receives the restore. */
  entityRef: string;
  reason: string;
}

export const EMPTY_FORM: RestoreFormValues = {
  snapshotId: '',
  destinationKind: 'in-place',
  path: '',
  entityRef: '',
  reason: '',
};

/** The request the form describes, or the first thing missing from it. */
export function toCreateRequest(
  values: RestoreFormValues,
): CreateRestoreRequest | { missing: string } {
  if (!values.reason.trim())
    return { missing: 'Say why the restore is needed: the approver reads it.' };
  if (values.destinationKind === 'other' && !values.path.trim()) {
    return {
      missing:
        'Name the destination: a database name or a file path on the same agent.',
    };
  }
  if (values.destinationKind === 'entity' && !values.entityRef.trim()) {
    return {
      missing:
        'Name the entity to restore into, e.g. resource:default/orders-db-staging.',
    };
  }
  return {
    reason: values.reason.trim(),
    ...(values.snapshotId ? { snapshotId: values.snapshotId } : {}),
    ...(values.destinationKind === 'other'
      ? { destination: { kind: 'other' as const, path: values.path.trim() } }
      : {}),
    ...(values.destinationKind === 'entity'
      ? {
          destination: {
            kind: 'entity' as const,
            entityRef: values.entityRef.trim(),
          },
        }
      : {}),
  };
}

/** One entry per snapshot id (the agent lists one per tier), newest first. */
function distinctSnapshots(snapshots: AgentSnapshot[]): AgentSnapshot[] {
  const seen = new Set<string>();
  return snapshots.filter(s =>
    seen.has(s.id) ? false : (seen.add(s.id), true),
  );
}

/** Snapshot (latest by default), destination (in place or elsewhere) and the reason. */
export function RestoreRequestForm(props: {
  values: RestoreFormValues;
  onChange(values: RestoreFormValues): void;
  /** Undefined for a consistency group: every member's snapshot of one backup window is used. */
  snapshots?: AgentSnapshot[];
  /** Entities whose target this one may be restored into (same engine), offered as you type. */
  destinationChoices?: TargetListItem[];
  group: boolean;
}) {
  const { values, onChange, group } = props;
  const [touched, setTouched] = useState(false);
  const snapshots = distinctSnapshots(props.snapshots ?? []);
  const set = (patch: Partial<RestoreFormValues>) =>
    onChange({ ...values, ...patch });
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      {group ? (
        <Typography variant="body2">
          A consistency group is restored as a whole: each member from the
          newest backup window all of them have, in place, one after the other.
          A member without a backup refuses the restore.
        </Typography>
      ) : (
        <FormControl fullWidth>
          <InputLabel id="restore-snapshot-label">Snapshot</InputLabel>
          <Select
            labelId="restore-snapshot-label"
            value={values.snapshotId}
            onChange={event => set({ snapshotId: String(event.target.value) })}
            displayEmpty
            renderValue={value =>
              value
                ? String(value)
                : `Latest${snapshots[0] ? ` (${snapshots[0].id})` : ''}`
            }
          >
            <MenuItem value="">
              Latest{snapshots[0] ? ` (${snapshots[0].id})` : ''}
            </MenuItem>
            {snapshots.map(snapshot => (
              <MenuItem key={snapshot.id} value={snapshot.id}>
                {snapshot.id}, {formatAbsoluteTime(snapshot.createdAt)},{' '}
                {formatBytes(snapshot.bytes)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      )}
      {!group && (
        <FormControl component="fieldset">
          <FormLabel component="legend">Destination</FormLabel>
          <RadioGroup
            value={values.destinationKind}
            onChange={event =>
              set({
                destinationKind: event.target
                  .value as RestoreFormValues['destinationKind'],
              })
            }
          >
            <FormControlLabel
              value="in-place"
              control={<Radio />}
              label="In place: replace the target's data"
            />
            <FormControlLabel
              value="other"
              control={<Radio />}
              label="Elsewhere on the same agent"
            />
            <FormControlLabel
              value="entity"
              control={<Radio />}
              label="Into another entity's target: a staging copy, or another host"
            />
          </RadioGroup>
          {values.destinationKind === 'other' && (
            <TextField
              id="restore-destination-path"
              label="Database name or path"
              helperText="A database name (orders_copy, host:port/db) or a file path, as the agent's restore --to takes"
              value={values.path}
              onChange={event => set({ path: event.target.value })}
              fullWidth
            />
          )}
          {values.destinationKind === 'entity' && (
            <Autocomplete
              freeSolo
              options={(props.destinationChoices ?? []).map(c => c.entityRef)}
              inputValue={values.entityRef}
              onInputChange={(_event, value) => set({ entityRef: value })}
              renderOption={ref => {
                const choice = props.destinationChoices?.find(
                  c => c.entityRef === ref,
                );
                return (
                  <Box>
                    <Typography variant="body2">{ref}</Typography>
                    {choice && (
                      <Typography variant="caption" color="textSecondary">
                        target {choice.target} on agent {choice.agent}
                      </Typography>
                    )}
                  </Box>
                );
              }}
              renderInput={params => (
                <TextField
                  {...params}
                  id="restore-destination-entity"
                  label="Entity to restore into"
                  helperText="An entity with a backup policy of the same engine, e.g. resource:default/orders-db-staging. Its agent must reach the storage this snapshot is on; the preview checks it."
                  fullWidth
                />
              )}
            />
          )}
        </FormControl>
      )}
      <TextField
        id="restore-reason"
        label="Reason"
        required
        multiline
        minRows={2}
        value={values.reason}
        onChange={event => set({ reason: event.target.value })}
        onBlur={() => setTouched(true)}
        error={touched && !values.reason.trim()}
        helperText="Why the restore is needed, for the approver and the history"
        fullWidth
      />
    </Box>
  );
}
