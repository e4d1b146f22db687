import { hostname } from 'node:os';

/**
 * Who this process is, for logs and mesh events: MESH_INSTANCE_ID when set (e.g. the pod name
 * from the Kubernetes downward API), otherwise `<hostname>:<pid>`.
 */
export function defaultInstanceId(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.MESH_INSTANCE_ID?.trim();
  return configured ? configured : `${hostname()}:${process.pid}`;
}
