import { render, waitFor } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('offers the two demo identities on the sign-in page', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Safekeep' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(<App />);

    await waitFor(() => {
      expect(
        rendered.getByRole('button', { name: 'Enter as developer' }),
      ).toBeInTheDocument();
    });
    expect(
      rendered.getByRole('button', { name: 'Enter as approver' }),
    ).toBeInTheDocument();
    expect(
      rendered.getByText(
        /user:default\/approver, a member of restore-approvers/,
      ),
    ).toBeInTheDocument();
  });
});
