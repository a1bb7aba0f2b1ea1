import { configure, screen } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { backupsApiRef } from '../../api';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { responseError } from '../../__testUtils__/responseError';
import {
  emptyTeamOverview,
  makeTeamOverview,
} from '../../__testUtils__/teamFixtures';
import { teamPageRouteRef } from '../../routes';
import { EntityTeamBackupsCard } from './EntityTeamBackupsCard';

// The page loads in several steps (identity, catalog, overview): on a busy machine that takes
// longer than testing-library's default 1 s wait.
configure({ asyncUtilTimeout: 5000 });

const teamA: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function renderCard(api: FakeBackupsApi, mountTeamPage = true) {
  return renderInTestApp(
    <TestApiProvider apis={[[backupsApiRef, api]]}>
      <EntityProvider entity={teamA}>
        <EntityTeamBackupsCard />
      </EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...(mountTeamPage ? { '/team-backups': teamPageRouteRef } : {}),
      },
    },
  );
}

function headline(label: string): HTMLElement {
  const term = screen.getByText(label, { selector: 'dt span' });
  return term.closest('div')!.querySelector('dd')!;
}

describe('EntityTeamBackupsCard', () => {
  it("shows the group's headline numbers and worst entity, and links to its team page", async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = makeTeamOverview();
    await renderCard(api);

    expect(await screen.findByText('Need attention')).toBeInTheDocument();
    expect(api.calls.getTeamOverview).toEqual(['group:default/team-a']);
    expect(headline('Protected')).toHaveTextContent('2');
    expect(headline('Unprotected')).toHaveTextContent('1');
    expect(headline('Need attention')).toHaveTextContent('1');
    expect(headline('Success rate, 30 days')).toHaveTextContent('90%');
    expect(screen.getByText(/Worst: orders-db is/)).toHaveTextContent(
      'Worst: orders-db is Failing — The last 2 runs failed.',
    );
    // Only the headline: the per-health counts stay on the team page.
    expect(screen.queryByText('Stale', { selector: 'dt span' })).toBeNull();
    expect(
      screen.getByRole('link', { name: /View team backup health/ }),
    ).toHaveAttribute('href', '/team-backups?owner=group%3Adefault%2Fteam-a');
  });

  it('links to /backups when the app mounts the team page without the route ref', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = makeTeamOverview();
    await renderCard(api, false);

    expect(
      await screen.findByRole('link', { name: /View team backup health/ }),
    ).toHaveAttribute('href', '/backups?owner=group%3Adefault%2Fteam-a');
  });

  it('shows progress while the overview loads', async () => {
    const api = new FakeBackupsApi();
    api.getTeamOverview = () => new Promise(() => {});
    await renderCard(api);

    expect(
      await screen.findByRole('progressbar', {
        name: "Loading the team's backups",
      }),
    ).toBeInTheDocument();
  });

  it("shows the backend's error", async () => {
    const api = new FakeBackupsApi();
    api.overviewError = await responseError(
      500,
      'Internal Server Error',
      'database is locked',
    );
    await renderCard(api);

    expect(
      await screen.findByText(/Could not read this team's backups/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is locked/).length).toBeGreaterThan(0);
  });

  it('says when the group owns nothing to back up', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = emptyTeamOverview(
      'group:default/team-a',
    );
    await renderCard(api);

    expect(
      await screen.findByText(
        'This team owns nothing with a backup policy, and no Resource that holds data.',
      ),
    ).toBeInTheDocument();
  });

  it('says all is well when nothing needs attention', async () => {
    const api = new FakeBackupsApi();
    const overview = makeTeamOverview();
    api.overviews['group:default/team-a'] = {
      ...overview,
      counts: { ...overview.counts, failing: 0, ok: 2 },
      entities: overview.entities.map(row => ({
        ...row,
        health: 'ok' as const,
      })),
    };
    await renderCard(api);

    expect(await screen.findByText('Need attention')).toBeInTheDocument();
    expect(headline('Need attention')).toHaveTextContent('0');
    expect(headline('Need attention').parentElement).toHaveAttribute(
      'data-tone',
      'ok',
    );
    expect(screen.queryByText(/Worst:/)).toBeNull();
  });
});
