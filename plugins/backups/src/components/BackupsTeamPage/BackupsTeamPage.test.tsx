import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { backupsApiRef } from '../../api';
import { giveChartsASize } from '../../__testUtils__/chartLayout';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { groupCatalog } from '../../__testUtils__/groupCatalog';
import { responseError } from '../../__testUtils__/responseError';
import { makeRestore } from '../../__testUtils__/restoreFixtures';
import {
  emptyTeamOverview,
  makeEntityRow,
  makeTeamOverview,
} from '../../__testUtils__/teamFixtures';
import { teamPageRouteRef } from '../../routes';
import { BackupsTeamPage, ownerFromQuery } from './BackupsTeamPage';

// The page loads in several steps (identity, catalog, overview): on a busy machine that takes
// longer than testing-library's default 1 s wait.
configure({ asyncUtilTimeout: 5000 });

function group(name: string, title?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default', ...(title ? { title } : {}) },
    spec: { type: 'team', children: [] },
  };
}

function renderPage(options: {
  api: FakeBackupsApi;
  ownership?: string[];
  url?: string;
  groups?: Entity[];
  catalogError?: Error;
}) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [backupsApiRef, options.api],
        [permissionApiRef, mockApis.permission()],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/alice',
            ownershipEntityRefs: options.ownership ?? [
              'user:default/alice',
              'group:default/team-a',
            ],
          }),
        ],
        [
          catalogApiRef,
          groupCatalog(
            options.groups ?? [
              group('team-a', 'Team A'),
              group('team-b', 'Team B'),
            ],
            options.catalogError,
          ),
        ],
      ]}
    >
      <BackupsTeamPage />
    </TestApiProvider>,
    {
      routeEntries: [options.url ?? '/backups'],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/backups': teamPageRouteRef,
      },
    },
  );
}

/** The value shown for a headline number, found by its label (dt) as a screen reader pairs them. */
function headline(label: string): HTMLElement {
  const term = screen.getByText(label, { selector: 'dt span' });
  return term.closest('div')!.querySelector('dd')!;
}

// Each test renders the whole team page in jsdom: seconds on a busy 2-core machine, not Jest's 5 s.
jest.setTimeout(30_000);

describe('BackupsTeamPage', () => {
  giveChartsASize();

  it("shows the signed-in user's team: numbers, entities worst first, unprotected resources and the trend", async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = makeTeamOverview();
    await renderPage({ api });

    expect(
      await screen.findByText('Protected entities, worst first'),
    ).toBeInTheDocument();
    expect(api.calls.getTeamOverview).toEqual(['group:default/team-a']);

    expect(headline('Protected')).toHaveTextContent('2');
    expect(headline('Unprotected')).toHaveTextContent('1');
    expect(headline('Failing')).toHaveTextContent('1');
    expect(headline('Failing').parentElement).toHaveAttribute(
      'data-tone',
      'error',
    );
    expect(headline('Stale').parentElement).toHaveAttribute(
      'data-tone',
      'neutral',
    );
    expect(headline('Success rate, 30 days')).toHaveTextContent('90%');
    // The snapshots' storage (chunks shared between them counted once), with the growth.
    expect(headline('Storage used')).toHaveTextContent('2.5 GiB');
    expect(headline('Storage used')).toHaveTextContent('+200 MiB in 30 days');
    expect(headline('Last verified restore')).toHaveTextContent('3 days ago');
    expect(headline('Drills overdue')).toHaveTextContent('1');
    expect(headline('Drills failing')).toHaveTextContent('0');

    // Worst first, as the backend ordered them, each linking to its Backups tab.
    const links = screen.getAllByRole('link', { name: /^Backups of / });
    expect(links.map(link => link.textContent)).toEqual([
      'orders-db',
      'Uploads bucket',
    ]);
    expect(links[0]).toHaveAttribute(
      'href',
      '/catalog/default/resource/orders-db/backups',
    );
    const failingRow = links[0].closest('tr')!;
    expect(within(failingRow).getByText('Failing')).toHaveAttribute(
      'data-health',
      'failing',
    );
    expect(
      within(failingRow).getByText('The last 2 runs failed.'),
    ).toBeInTheDocument();
    expect(within(failingRow).getByText('80%')).toBeInTheDocument();
    expect(within(failingRow).getByText('2 days ago')).toBeInTheDocument();
    // Storage used per entity, and the latest snapshot's size under it; without the
    // backend's estimate (older runs), the latest snapshot's size alone.
    const bucketRow = links[1].closest('tr')!;
    expect(within(bucketRow).getByText('2.0 GiB')).toBeInTheDocument();
    expect(
      within(bucketRow).getByText('latest snapshot 512 MiB'),
    ).toBeInTheDocument();
    expect(within(failingRow).getByText('1.5 GiB')).toBeInTheDocument();

    // The unprotected cache, with the annotations to paste (engine from its type).
    await userEvent.click(
      screen.getByRole('button', { name: 'Annotations to add to sessions' }),
    );
    const yaml = screen.getByText(/safekeep\.io\/agent/).closest('pre')!;
    expect(yaml).toHaveTextContent('kind: Resource');
    expect(yaml).toHaveTextContent('name: sessions');
    expect(yaml).toHaveTextContent('safekeep.io/engine: "redis"');

    expect(
      screen.getByRole('img', { name: /Daily backup success rate/ }),
    ).toHaveAccessibleName(
      'Daily backup success rate over the last 3 days. 1 of 4 runs failed on 2 days with runs; the worst day was 2026-11-19 at 50%.',
    );
  }, 20_000);

  it('shows the team named in ?owner=, and another one picked from the Team list', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-b'] = makeTeamOverview({
      owner: 'group:default/team-b',
    });
    api.overviews['group:default/team-a'] = makeTeamOverview();
    await renderPage({ api, url: '/backups?owner=team-b' });

    expect(
      await screen.findByText(/Of group:default\/team-b/),
    ).toBeInTheDocument();
    expect(api.calls.getTeamOverview).toEqual(['group:default/team-b']);

    await userEvent.click(screen.getByRole('button', { name: /Team/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Team A (your team)' }),
    );

    expect(
      await screen.findByText(/Of group:default\/team-a/),
    ).toBeInTheDocument();
    expect(api.calls.getTeamOverview).toEqual([
      'group:default/team-b',
      'group:default/team-a',
    ]);
    // Two overviews and a menu: slow on a busy machine, so more than jest's default 5 s.
  }, 20_000);

  it('shows progress while the overview loads', async () => {
    const api = new FakeBackupsApi();
    api.getTeamOverview = () => new Promise(() => {});
    await renderPage({ api });

    expect(
      await screen.findByRole('progressbar', {
        name: 'Loading the backup overview',
      }),
    ).toBeInTheDocument();
  });

  it("shows the backend's error when the overview cannot be read", async () => {
    const api = new FakeBackupsApi();
    api.overviewError = await responseError(
      403,
      'Forbidden',
      'you may not read backups of group:default/team-a',
      'NotAllowedError',
    );
    await renderPage({ api });

    expect(
      await screen.findByText(
        'Could not read the backup overview of group:default/team-a',
        { exact: false },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/you may not read backups of group:default\/team-a/)
        .length,
    ).toBeGreaterThan(0);
  });

  it('says when the team owns nothing Safekeep protects or should protect', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = emptyTeamOverview(
      'group:default/team-a',
    );
    await renderPage({ api });

    expect(
      await screen.findByText(
        'group:default/team-a owns nothing that holds data',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('Protected entities, worst first')).toBeNull();
  });

  it('asks a user without a team to pick one, and reads nothing until then', async () => {
    const api = new FakeBackupsApi();
    await renderPage({ api, ownership: ['user:default/alice'] });

    expect(
      await screen.findByText('You are not a member of any team'),
    ).toBeInTheDocument();
    expect(api.calls.getTeamOverview).toEqual([]);
  });

  it('explains an ?owner= that is not a group', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = makeTeamOverview();
    await renderPage({ api, url: '/backups?owner=user:default/alice' });

    expect(
      await screen.findByText(/"user:default\/alice" is not a group/),
    ).toBeInTheDocument();
    // It falls back to the user's own team.
    await waitFor(() =>
      expect(api.calls.getTeamOverview).toEqual(['group:default/team-a']),
    );
  });

  it('says on an entity row how many of its snapshots failed scheduled verification', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = makeTeamOverview({
      entities: [
        makeEntityRow({
          entityRef: 'resource:default/orders-db',
          snapshotsFailingVerify: 2,
        }),
      ],
    });
    await renderPage({ api });
    expect(
      await screen.findByText('2 snapshots failed scheduled verification'),
    ).toBeInTheDocument();
  });

  it('says when every run succeeded and no resource is unprotected', async () => {
    const api = new FakeBackupsApi();
    api.overviews['group:default/team-a'] = makeTeamOverview({
      successTrend: [{ day: '2026-11-20', succeeded: 3, failed: 0 }],
      unprotected: [],
    });
    await renderPage({ api });

    expect(
      await screen.findByText(
        'Every data-holding resource of this team has a backup policy.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('All 3 runs on 1 day succeeded.'),
    ).toBeInTheDocument();
  });
});

it("still shows the user's own team when the catalog cannot list groups", async () => {
  const api = new FakeBackupsApi();
  api.overviews['group:default/team-a'] = makeTeamOverview();
  await renderPage({ api, catalogError: new Error('catalog is down') });

  expect(
    await screen.findByText('Protected entities, worst first'),
  ).toBeInTheDocument();
  await userEvent.click(screen.getByRole('button', { name: /Team/ }));
  expect(
    screen.getAllByRole('option').map(option => option.textContent),
  ).toEqual(['team-a (your team)']);
});

it('lists the restore requests waiting for approval across the catalog on its approvals tab', async () => {
  const api = new FakeBackupsApi();
  api.restores = [
    makeRestore({
      id: 'r-orders',
      entityRef: 'resource:default/orders-db',
      requestedBy: 'user:default/bob',
    }),
    makeRestore({
      id: 'r-files',
      entityRef: 'resource:default/uploads',
      requestedBy: 'user:default/alice',
    }),
    makeRestore({ id: 'r-done', status: 'succeeded' }),
  ];
  // Rendered at the root here; in the app the page lives at /backups (so /backups/approvals).
  await renderPage({ api, url: '/approvals' });

  expect(
    await screen.findByText('Restore requests waiting for approval'),
  ).toBeInTheDocument();
  const orders = within(
    await screen.findByRole('article', { name: 'Restore request r-orders' }),
  );
  expect(orders.getByRole('link', { name: 'orders-db' })).toHaveAttribute(
    'href',
    '/catalog/default/resource/orders-db',
  );
  expect(orders.getByRole('button', { name: 'Approve' })).toBeEnabled();
  // Alice asked for this one herself.
  const files = within(
    screen.getByRole('article', { name: 'Restore request r-files' }),
  );
  expect(files.getByRole('button', { name: 'Approve' })).toBeDisabled();
  expect(
    screen.queryByRole('article', { name: 'Restore request r-done' }),
  ).not.toBeInTheDocument();
  expect(api.calls.listRestores).toContainEqual({ status: 'pending' });
}, 30_000);

describe('ownerFromQuery', () => {
  it('reads short and full group references', () => {
    expect(ownerFromQuery('team-a')).toBe('group:default/team-a');
    expect(ownerFromQuery('group:ops/dba')).toBe('group:ops/dba');
    expect(ownerFromQuery('component:x')).toEqual({
      error: expect.stringContaining('is not a group'),
    });
  });
});
