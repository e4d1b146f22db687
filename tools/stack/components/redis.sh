# shellcheck shell=bash
# Redis: the server at REDIS_URL if one answers there; otherwise our own, with an append-only
# file under .stack/data/redis so that a restart keeps the dedupe keys.

redis_env_var() { printf 'REDIS_URL'; }
redis_endpoint() { printf '%s' "${REDIS_URL:-redis://127.0.0.1:6379}"; }
redis_port() { url_port "$(redis_endpoint)" 6379; }
redis_timeout() { printf 30; }

# PING over /dev/tcp: +PONG, or -NOAUTH from a password-protected server, is a live Redis.
redis_healthy() {
  local reply
  reply=$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$(url_host "$(redis_endpoint)")/$(redis_port)" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 line <&3 && printf '%s' "$line"
  ) 2>/dev/null || return 1
  [[ $reply == +PONG* || $reply == -NOAUTH* ]]
}

redis_prepare() {
  command -v redis-server >/dev/null || apt_install redis redis-server
  mkdir -p "$DATA_DIR/redis"
}

redis_start() {
  start_daemon redis redis-server --bind "$(url_host "$(redis_endpoint)")" --port "$(redis_port)" \
    --dir "$DATA_DIR/redis" --appendonly yes --appendfsync everysec --save "" \
    --daemonize no --protected-mode yes --maxmemory 512mb
}
