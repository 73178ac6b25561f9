#!/usr/bin/env bash
# Dev services for tests and the cluster mode: nats-server (JetStream) and OpenSearch.
#   infra/dev/services.sh up|down|status
# Each service's own script (nats.sh, opensearch.sh) says where its data and logs are.
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  up) ./nats.sh start && ./opensearch.sh start ;;
  down) rc=0; ./opensearch.sh stop || rc=$?; ./nats.sh stop || rc=$?; exit $rc ;;
  status) rc=0; ./nats.sh status || rc=$?; ./opensearch.sh status || rc=$?; exit $rc ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
