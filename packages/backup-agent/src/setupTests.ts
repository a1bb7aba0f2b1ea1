// Loaded before every agent test file (Backstage's jest config picks up src/setupTests.ts).
// Real servers, processes and files: seconds on a loaded 2-core machine, so 30 s rather than
// Jest's 5 s, for tests and hooks alike. Files that need longer still set their own.
jest.setTimeout(30_000);
