import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import type { TeamChoice } from './useTeamChoices';

/** Picks the team the page shows; "Team" is its accessible name. */
export function TeamPicker(props: {
  value: string | undefined;
  choices: TeamChoice[];
  onChange(entityRef: string): void;
}) {
  const { value, choices } = props;
  // A team given in the URL but not in the catalog's list stays selectable.
  const options =
    value && !choices.some(c => c.entityRef === value)
      ? [{ entityRef: value, title: value, mine: false }, ...choices]
      : choices;
  return (
    <TextField
      select
      id="safekeep-team-picker"
      label="Team"
      variant="outlined"
      size="small"
      value={value ?? ''}
      onChange={event => props.onChange(event.target.value)}
      style={{ minWidth: 240 }}
      disabled={options.length === 0}
      helperText={options.length === 0 ? 'No team in the catalog' : undefined}
    >
      {options.map(choice => (
        <MenuItem key={choice.entityRef} value={choice.entityRef}>
          {choice.mine ? `${choice.title} (your team)` : choice.title}
        </MenuItem>
      ))}
    </TextField>
  );
}
