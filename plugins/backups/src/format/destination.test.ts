import { destinationText } from './destination';

describe('destinationText', () => {
  it('says where each kind of restore writes', () => {
    expect(destinationText({ kind: 'in-place' })).toBe('in place');
    expect(destinationText({ kind: 'other', path: 'orders_copy' })).toBe(
      'into orders_copy',
    );
    expect(
      destinationText({
        kind: 'entity',
        entityRef: 'resource:default/orders-db-staging',
        agent: 'staging-host',
        target: 'orders-db',
      }),
    ).toBe(
      'into resource:default/orders-db-staging (target orders-db on agent staging-host)',
    );
  });
});
