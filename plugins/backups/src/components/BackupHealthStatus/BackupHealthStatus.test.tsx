import { render, screen } from '@testing-library/react';
import { themes, UnifiedThemeProvider } from '@backstage/theme';
import { BackupHealthStatus } from './BackupHealthStatus';

function renderIn(
  theme: 'light' | 'dark',
  health: Parameters<typeof BackupHealthStatus>[0]['health'],
) {
  return render(
    <UnifiedThemeProvider theme={themes[theme]}>
      <BackupHealthStatus health={health} />
    </UnifiedThemeProvider>,
  );
}

function cssColor(color: string): string {
  const probe = document.createElement('span');
  probe.style.color = color;
  return probe.style.color;
}

describe('BackupHealthStatus', () => {
  it.each(['light', 'dark'] as const)(
    'colours each health from the %s theme palette',
    theme => {
      const palette = themes[theme].getTheme('v4')!.palette;
      const expected = {
        ok: palette.status.ok,
        late: palette.status.warning,
        failing: palette.status.error,
        invalid: palette.status.error,
        never: palette.text.secondary,
      } as const;
      for (const [health, color] of Object.entries(expected)) {
        const { unmount } = renderIn(theme, health as keyof typeof expected);
        expect(
          screen.getByText(/./, { selector: '[data-health]' }),
        ).toHaveStyle({ color: cssColor(color) });
        unmount();
      }
    },
  );

  it('says the health in words', () => {
    renderIn('light', 'stale');
    expect(screen.getByText('Stale')).toBeInTheDocument();
  });
});
