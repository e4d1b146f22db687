// What `mesh doctor` checks against: the same variables the apps read (the apps' loopback
// defaults, @ingest-mesh/env-config), plus the list of the mesh's apps (their sink.* and dlq.* topics).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brokerList, endpointsFromEnv } from '@ingest-mesh/env-config';
import type { MeshTopicNames } from './checks/topics.js';

export const DEFAULT_APPS = ['ingest-router', 'sink-postgres', 'sink-search', 'dlq-redriver', 'replay-coordinator'];

export interface DoctorConfig {
  brokers: string[];
  registryUrl: string;
  databaseUrl: string;
  redisUrl: string;
  searchUrl: string;
  sinkSchema: string;
  tablesFile: string;
  dlqSchema: string;
  replaySchema: string;
  apps: string[];
  topics: MeshTopicNames;
}

/** Apps of tools/mesh/apps.list (`<app> <port>` lines), when run from the repository. */
export function appsFromList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/)[0]!);
}

export function doctorConfig(env: NodeJS.ProcessEnv, cwd: string, appsFlag?: string): DoctorConfig {
  const v = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const listFile = path.join(cwd, 'tools/mesh/apps.list');
  const apps = appsFlag ?? env.MESH_APPS;
  const endpoints = endpointsFromEnv(env);
  return {
    brokers: brokerList(endpoints.KAFKA_BROKERS),
    registryUrl: endpoints.SCHEMA_REGISTRY_URL,
    databaseUrl: endpoints.DATABASE_URL,
    redisUrl: endpoints.REDIS_URL,
    searchUrl: endpoints.SEARCH_URL,
    sinkSchema: v('SINK_PG_SCHEMA', 'public'),
    tablesFile: path.resolve(cwd, v('SINK_PG_TABLES', 'apps/sink-postgres/config/tables.yaml')),
    dlqSchema: v('DLQ_STORE_SCHEMA', 'mesh_dlq'),
    replaySchema: v('REPLAY_SCHEMA', 'mesh_replay'),
    topics: {
      control: v('MESH_CONTROL_TOPIC', 'mesh.control'),
      events: v('MESH_EVENTS_TOPIC', 'mesh.events'),
      routes: v('ROUTER_ROUTES_TOPIC', 'mesh.routes'),
      raw: v('ROUTER_SOURCE_TOPIC', 'ingest.raw'),
      deferred: v('ROUTER_DEFERRED_TOPIC', 'ingest.deferred'),
    },
    apps: apps
      ? apps
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean)
      : existsSync(listFile)
        ? appsFromList(readFileSync(listFile, 'utf8'))
        : DEFAULT_APPS,
  };
}
