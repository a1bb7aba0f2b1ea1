// Loaded before every backend test file (Backstage's jest config picks up src/setupTests.ts).
// Real databases and agent processes: seconds on a loaded 2-core machine, so 30 s rather than
// Jest's 5 s, for tests and hooks alike. Files that need longer still set their own.
jest.setTimeout(30_000);
