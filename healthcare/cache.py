"""The Redis cache backend (`REDIS_URL`): Django's, keeping its clients, with an atomic counter.

Django's client builds a new `redis.Redis` for every operation; building one costs about 60 µs
of CPU here, as much as the GET it serves (bench/results.md). A `redis.Redis` holds no
connection of its own, only its pool's, so one per pool serves every thread of the process.

`count` is what the throttles count with (healthcare/api/throttling.py): one round trip that
creates the counter with its expiry if needed and adds one, atomically.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # A race builds two and keeps one: both share the pool, so either serves.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count(self, key, timeout: int) -> int:
        pipe = self.get_client(key, write=True).pipeline(transaction=True)
        # MULTI/EXEC: no one sees the counter made but not yet counted, or counted twice.
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key, timeout, version=None) -> int:
        """Add one to the counter at `key` (made at 0, to live `timeout` seconds, if missing);
        its new value. Readable with `get`, and `decr` takes one back."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.count(key, self.get_backend_timeout(timeout))
