import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  Content,
  ErrorPanel,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
} from '@backstage/core-components';
import {
  configApiRef,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import { DEMO_IDENTITIES, DEMO_IDENTITY_STORAGE_KEY } from './demoIdentities';
import { forgetOnSignOut } from './forgetOnSignOut';

function readChoice(): string | undefined {
  const stored = window.localStorage.getItem(DEMO_IDENTITY_STORAGE_KEY);
  return DEMO_IDENTITIES.some(identity => identity.provider === stored)
    ? stored!
    : undefined;
}

/**
 * The demo portal's sign-in: a developer who asks for restores, or an approver who decides on
 * them, so the four-eyes rule can be tried in one browser. The choice is remembered until
 * sign-out. Both identities sign in without credentials (development only).
 */
export function DemoSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  const [provider, setProvider] = useState(readChoice);
  const choose = (chosen: string | undefined) => {
    if (chosen) window.localStorage.setItem(DEMO_IDENTITY_STORAGE_KEY, chosen);
    else window.localStorage.removeItem(DEMO_IDENTITY_STORAGE_KEY);
    setProvider(chosen);
  };

  if (provider) {
    return (
      <ProxiedSignInPage
        {...props}
        provider={provider}
        onSignInSuccess={identity =>
          props.onSignInSuccess(
            forgetOnSignOut(identity, () =>
              window.localStorage.removeItem(DEMO_IDENTITY_STORAGE_KEY),
            ),
          )
        }
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Header title={configApi.getString('app.title')} />
            <Content>
              <ErrorPanel
                title={`Could not sign in with the ${provider} provider`}
                error={error ?? new Error('unknown error')}
              />
              <Button
                variant="outlined"
                color="primary"
                style={{ marginTop: 16 }}
                onClick={() => choose(undefined)}
              >
                Choose another identity
              </Button>
            </Content>
          </Page>
        )}
      />
    );
  }

  return (
    <Page themeId="home">
      <Header title={configApi.getString('app.title')} />
      <Content>
        <Typography variant="h4" component="h1" gutterBottom>
          Sign in to the demo as
        </Typography>
        <Grid container spacing={3}>
          {DEMO_IDENTITIES.map(identity => (
            <Grid item xs={12} md={4} key={identity.provider}>
              <InfoCard
                title={identity.title}
                variant="fullHeight"
                actions={
                  <Button
                    variant="outlined"
                    color="primary"
                    onClick={() => choose(identity.provider)}
                  >
                    {identity.button}
                  </Button>
                }
              >
                <Typography variant="body1">{identity.description}</Typography>
              </InfoCard>
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
