import { describe, expect, it } from 'vitest';
import { hostPort, parseStackMode, stackEndpoints, STACK_DEFAULTS } from './stack-env.js';

describe('stackEndpoints', () => {
  it('uses loopback defaults for unset or blank variables', () => {
    expect(stackEndpoints({ KAFKA_BROKERS: '  ' })).toEqual(STACK_DEFAULTS);
  });
  it('keeps what the environment sets', () => {
    const got = stackEndpoints({ REDIS_URL: 'redis://10.0.0.5:6380' });
    expect(got.REDIS_URL).toBe('redis://10.0.0.5:6380');
    expect(got.DATABASE_URL).toBe(STACK_DEFAULTS.DATABASE_URL);
  });
});

describe('parseStackMode', () => {
  it('defaults to local', () => {
    expect(parseStackMode(undefined)).toBe('local');
    expect(parseStackMode('')).toBe('local');
  });
  it('accepts the three modes', () => {
    expect(parseStackMode('external')).toBe('external');
    expect(parseStackMode('testcontainers')).toBe('testcontainers');
  });
  it('names the variable and the allowed values on a typo', () => {
    expect(() => parseStackMode('docker')).toThrow('MESH_STACK must be one of local, testcontainers, external; got "docker"');
  });
});

describe('hostPort', () => {
  it('reads the first broker of a list', () => {
    expect(hostPort('127.0.0.1:9092,127.0.0.2:9093', 9092)).toEqual({ host: '127.0.0.1', port: 9092 });
  });
  it('reads URLs with credentials and paths', () => {
    expect(hostPort('postgres://mesh:pw@db.local:6543/mesh', 5432)).toEqual({ host: 'db.local', port: 6543 });
    expect(hostPort('http://127.0.0.1:8081/apis/ccompat/v7', 8081)).toEqual({ host: '127.0.0.1', port: 8081 });
  });
  it('falls back to the scheme or component default port', () => {
    expect(hostPort('redis://cache', 6379)).toEqual({ host: 'cache', port: 6379 });
    expect(hostPort('https://search.example', 9200)).toEqual({ host: 'search.example', port: 443 });
  });
  it('unwraps IPv6 literals', () => {
    expect(hostPort('[::1]:9092', 9092)).toEqual({ host: '::1', port: 9092 });
  });
});
