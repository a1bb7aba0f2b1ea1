import {
  databaseArtifactName,
  databaseFromArtifactName,
} from './databaseArtifactName';

describe('databaseArtifactName', () => {
  it('keeps usual names readable and gets every name back exactly', () => {
    expect(databaseArtifactName('openwebui', 'dump')).toBe('openwebui.dump');
    expect(databaseArtifactName('my_app-2', 'sql')).toBe('my_app-2.sql');
    for (const name of [
      'openwebui',
      'my_app-2',
      'with space',
      'a.b',
      '_lead',
      'ünï',
      'x/../y',
      'db',
    ]) {
      const artifact = databaseArtifactName(name, 'dump');
      expect(artifact).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(databaseFromArtifactName(artifact, 'dump')).toBe(name);
    }
  });

  it('does not take other artifacts for database dumps', () => {
    expect(databaseFromArtifactName('globals.sql', 'dump')).toBeUndefined();
    expect(databaseFromArtifactName('x.y.dump', 'dump')).toBeUndefined();
  });
});
