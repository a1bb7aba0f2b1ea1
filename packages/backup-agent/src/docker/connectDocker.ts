import type Docker from 'dockerode';
import { dockerLibrary } from '../libraries';
import { resolveSecret } from '../config/secretRef';
import type { DockerSettings } from './dockerSettings';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** For messages: `unix:///var/run/docker.sock`, `https://10.0.0.5:2376`. */
export function describeDockerEndpoint(settings: DockerSettings): string {
  if (settings.host)
    return `${settings.tls ? 'https' : 'http'}://${settings.host}:${
      settings.port ?? (settings.tls ? 2376 : 2375)
    }`;
  if (settings.socketPath) return `unix://${settings.socketPath}`;
  return process.env.DOCKER_HOST || `unix://${DEFAULT_SOCKET}`;
}

/** A dockerode client for the configured endpoint; TLS files are read now, by reference. */
export function connectDocker(settings: DockerSettings): Docker {
  const DockerClient = dockerLibrary();
  if (settings.host) {
    const tls = settings.tls;
    return new DockerClient({
      host: settings.host,
      port: settings.port ?? (tls ? 2376 : 2375),
      protocol: tls ? 'https' : 'http',
      ...(tls
        ? {
            ca: resolveSecret(tls.ca),
            cert: resolveSecret(tls.cert),
            key: resolveSecret(tls.key),
          }
        : {}),
    });
  }
  if (settings.socketPath)
    return new DockerClient({ socketPath: settings.socketPath });
  // docker-modem reads DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) itself.
  if (process.env.DOCKER_HOST) return new DockerClient();
  return new DockerClient({ socketPath: DEFAULT_SOCKET });
}
