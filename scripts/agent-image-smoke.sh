#!/usr/bin/env bash
# Smoke test of the agent image (scripts/build-agent-image.sh): it runs as its unprivileged user,
# carries the dump tools, and `serve` backs up a database of the machine's real PostgreSQL
# through the HTTP API into a host folder, with a MANIFEST.json whose sha256 matches the bytes.
#   SAFEKEEP_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/agent-image-smoke.sh [IMAGE]
set -euo pipefail
image="${1:-safekeep/agent:ci}"
pg_url="${SAFEKEEP_TEST_POSTGRES_URL:?set SAFEKEEP_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"
port="${SAFEKEEP_IMAGE_SMOKE_PORT:-17409}"
db="safekeep_image_smoke"
name="safekeep-agent-smoke-$$"
work="$(mktemp -d)"
fail() { echo "agent-image-smoke: FAILED: $*" >&2; docker logs "$name" 2>&1 | tail -20 >&2 || true; exit 1; }
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  psql "$pg_url" -qAtc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

[ "$(docker run --rm --network none --entrypoint id "$image" -u)" = 10001 ] || fail "the image does not run as uid 10001"
docker run --rm --network none --entrypoint sh "$image" -c \
  'pg_dump --version && pg_restore --version && mariadb-dump --version && redis-cli --version && zstd --version && node --version' \
  || fail "a dump tool is missing"
version="$(docker run --rm --network none "$image" --version)"
echo "agent-image-smoke: safekeep-agent $version, tools present, uid 10001"

psql "$pg_url" -qAtc "DROP DATABASE IF EXISTS $db" >/dev/null
psql "$pg_url" -qAtc "CREATE DATABASE $db" >/dev/null
db_url="${pg_url%/*}/$db"
psql "$db_url" -qAtc "CREATE TABLE notes(id int primary key, body text); INSERT INTO notes SELECT g, md5(g::text) FROM generate_series(1, 5000) g" >/dev/null

pg_host="$(node -e 'const u=new URL(process.argv[1]);console.log(u.hostname)' "$pg_url")"
pg_port="$(node -e 'const u=new URL(process.argv[1]);console.log(u.port||5432)' "$pg_url")"
pg_user="$(node -e 'const u=new URL(process.argv[1]);console.log(decodeURIComponent(u.username)||"postgres")' "$pg_url")"
mkdir -p "$work/state"
cat > "$work/agent.yaml" <<YAML
agent:
  name: image-smoke
  listen: { host: 127.0.0.1, port: $port }
  token: { env: SAFEKEEP_AGENT_TOKEN }
  staging: /var/lib/safekeep/staging
storage:
  local: { type: filesystem, path: /var/lib/safekeep/snapshots }
targets:
  pg: { engine: postgres, host: $pg_host, port: $pg_port, user: $pg_user, databases: [$db] }
YAML
chown -R 10001:10001 "$work/state"
token="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
# The token goes in through the environment (-e NAME, value not in argv).
SAFEKEEP_AGENT_TOKEN="$token" docker run -d --name "$name" --network host \
  -e SAFEKEEP_AGENT_TOKEN \
  -v "$work/agent.yaml:/etc/safekeep/agent.yaml:ro" \
  -v "$work/state:/var/lib/safekeep" "$image" >/dev/null

SAFEKEEP_AGENT_TOKEN="$token" node - "$port" <<'JS' || fail "backup through the API"
const [port] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const headers = { authorization: `Bearer ${process.env.SAFEKEEP_AGENT_TOKEN}`, 'content-type': 'application/json' };
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  let job;
  for (let i = 0; i < 60 && !job; i++) {
    try {
      const r = await fetch(`${base}/v1/backups`, { method: 'POST', headers, body: JSON.stringify({ target: 'pg' }) });
      if (r.status !== 202) throw new Error(`POST /v1/backups: ${r.status} ${await r.text()}`);
      job = await r.json();
    } catch (e) { if (i === 59) throw e; await sleep(1000); }
  }
  for (let i = 0; i < 120; i++) {
    job = await (await fetch(`${base}/v1/jobs/${job.id}`, { headers })).json();
    if (job.state !== 'running' && job.state !== 'queued') break;
    await sleep(1000);
  }
  if (job.state !== 'succeeded') throw new Error(`job ${job.state}: ${JSON.stringify(job)}`);
  console.log(`agent-image-smoke: backup job ${job.id} succeeded`);
})().catch(e => { console.error(e.message); process.exit(1); });
JS

manifest="$(find "$work/state/snapshots" -name MANIFEST.json | head -1)"
[ -n "$manifest" ] || fail "no MANIFEST.json under the snapshot folder"
node - "$manifest" <<'JS' || fail "the stored artifacts do not match their manifest"
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const file = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
for (const a of manifest.artifacts) {
  const sha = crypto.createHash('sha256').update(fs.readFileSync(path.join(path.dirname(file), a.name))).digest('hex');
  if (sha !== a.sha256) throw new Error(`${a.name}: sha256 ${sha}, manifest says ${a.sha256}`);
}
console.log(`agent-image-smoke: ${manifest.artifacts.length} artifacts match MANIFEST.json (${path.dirname(file)})`);
JS
owner="$(stat -c %u "$manifest")"
[ "$owner" = 10001 ] || fail "the snapshot is owned by uid $owner, not the agent's user"
echo "agent-image-smoke: ok"
