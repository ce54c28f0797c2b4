import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface RedisTarget {
  host: string;
  port: number;
  cluster: boolean;
}

/** One Redis connection (or a cluster client seeded by host:port when Cluster mode is on). */
export function createRedisConnection(target: RedisTarget, options: RedisOptions = {}): Redis | Cluster {
  if (target.cluster) {
    return new Cluster([{ host: target.host, port: target.port }], {
      redisOptions: options,
      enableOfflineQueue: options.enableOfflineQueue,
      clusterRetryStrategy: () => 1000,
    });
  }
  return new Redis({ host: target.host, port: target.port, ...options });
}
