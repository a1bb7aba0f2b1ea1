import type { CommandRunner, SecretFile } from './CommandRunner';

/** A secret file that exists exactly while `use` runs (removed also when it throws). */
export async function withSecretFile<T>(
  runner: CommandRunner,
  stagingDir: string,
  label: string,
  content: string,
  use: (file: SecretFile) => Promise<T>,
): Promise<T> {
  const file = await runner.writeSecretFile(stagingDir, label, content);
  try {
    return await use(file);
  } finally {
    await file.remove();
  }
}
