// The body of the process startS3rverProcess spawns: an s3rver (with the multipart shim) that
// prints where it listens as one JSON line, and stops when its stdin closes or on SIGTERM.
import { startS3rver } from './s3rverHarness';

startS3rver(process.env.SAFEKEEP_S3RVER_BUCKET ?? 'backups').then(
  s3 => {
    const { endpoint, bucket, directory } = s3;
    process.stdout.write(
      `${JSON.stringify({ endpoint, bucket, directory })}\n`,
    );
    const stop = () => {
      s3.close().finally(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.stdin.once('end', stop);
    process.stdin.resume();
  },
  error => {
    process.stderr.write(`s3rver did not start: ${error}\n`);
    process.exit(1);
  },
);
