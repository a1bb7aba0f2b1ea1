/** A config file or value that cannot be used; each problem names the field and the fix. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(
      `${source} is not valid:\n${problems.map(p => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
