import { progressReporter, ProgressStream } from './progressReporter';

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  const stream = { isTTY, text: '', write: (t: string) => (stream.text += t) };
  return stream;
}

describe('CLI progress', () => {
  it('shows phase, bytes, rate and time on a terminal, leaving each finished phase on its own line', () => {
    let clock = 0;
    const tty = fakeStream(true);
    const progress = progressReporter('auto', tty, () => clock);
    progress.report({ phase: 'starting', bytes: 0 });
    progress.report({ phase: 'dumping', bytes: 0 });
    clock = 2000;
    progress.report({ phase: 'dumping', bytes: 200 * 1024 * 1024 });
    clock = 2050; // throttled: not shown
    progress.report({ phase: 'dumping', bytes: 201 * 1024 * 1024 });
    clock = 4000;
    progress.report({ phase: 'copying to offsite', bytes: 0 });
    progress.finish();
    expect(tty.text.split('\r\x1b[2K')).toEqual([
      '',
      'starting  0.0 s',
      'dumping  0.0 s',
      'dumping  200.0 MiB  100.0 MiB/s  2.0 s',
      // The finished phase stays on its own line with its final figures: 201 MiB over 4 s.
      'dumping  201.0 MiB  50.3 MiB/s  4.0 s\n',
      'copying to offsite  0.0 s',
      '',
    ]);
  });

  it('writes JSON lines for programs, and nothing in a pipe unless asked', () => {
    let clock = 0;
    const json = fakeStream(false);
    const progress = progressReporter('json', json, () => clock);
    progress.report({ phase: 'dumping', bytes: 0 });
    clock = 500;
    progress.report({ phase: 'dumping', bytes: 1000 }); // within the second: skipped
    clock = 1500;
    progress.report({ phase: 'dumping', bytes: 3000 });
    const lines = json.text
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(lines).toEqual([
      {
        phase: 'dumping',
        bytes: 0,
        bytesPerSecond: 0,
        phaseSeconds: 0,
        elapsedSeconds: 0,
      },
      {
        phase: 'dumping',
        bytes: 3000,
        bytesPerSecond: 2000,
        phaseSeconds: 1.5,
        elapsedSeconds: 1.5,
      },
    ]);

    const pipe = fakeStream(false);
    const quiet = progressReporter('auto', pipe, () => clock);
    quiet.report({ phase: 'dumping', bytes: 10 });
    quiet.finish();
    expect(pipe.text).toBe('');
  });
});
