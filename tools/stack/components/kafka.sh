# shellcheck shell=bash
# placeholder until the kafka component lands
kafka_env_var() { printf 'X'; }
kafka_endpoint() { printf 'none'; }
kafka_port() { printf 1; }
kafka_timeout() { printf 1; }
kafka_healthy() { return 1; }
kafka_prepare() { fail kafka "not implemented yet"; }
kafka_start() { :; }
