import type { AgentConfig } from '../config/loadConfig';
import { isLoopback } from './isLoopback';

/**
 * What an operator must hear at start because it weakens the agent without stopping it: a
 * listener others can reach over plain HTTP (the token and every request readable and
 * replayable on the network), and tiers whose manifests nobody can authenticate.
 */
export function startupWarnings(config: AgentConfig, host: string): string[] {
  const warnings: string[] = [];
  if (!config.agent.listen.tls && !isLoopback(host)) {
    warnings.push(
      `warning: the agent listens on ${host} over plain HTTP: its token and every request can be read on the network; set agent.listen.tls (cert and key files) or listen on 127.0.0.1 behind a TLS proxy (docs/security.md)`,
    );
  }
  const unsealed = Object.entries(config.storage)
    .filter(([, tier]) => !(tier.manifestKey ?? config.defaults.manifestKey))
    .map(([name]) => name);
  if (unsealed.length === Object.keys(config.storage).length) {
    warnings.push(
      'warning: no manifestKey is set: snapshot manifests are not authenticated, so whoever can write a storage tier can change what a restore writes; set defaults.manifestKey (32+ characters: openssl rand -hex 32, docs/agent.md)',
    );
  } else if (unsealed.length > 0) {
    warnings.push(
      `warning: tier(s) ${unsealed.join(
        ', ',
      )} have no manifestKey: their manifests are not authenticated; set defaults.manifestKey or storage.<tier>.manifestKey (docs/agent.md)`,
    );
  }
  return warnings;
}
