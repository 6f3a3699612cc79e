#!/usr/bin/env bash
# Starts the action server, the Rasa server and the web chat page on 127.0.0.1; Ctrl-C stops all.
# Called by `make run`, which sets up the venv, trains a model if none exists and exports
# the embedded defaults (ports, SQLite tracker store). Security settings: docs/security.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
WEB_PORT="${WEB_PORT:-8080}"
export WEB_PORT RASA_PORT ACTIONS_PORT
export TRACKER_STORE_URL="${TRACKER_STORE_URL:-sqlite:///$PWD/var/tracker.db}"
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
# Bodies over 4 MB are refused by Sanic before they are read; messages over MAX_MESSAGE_CHARS
# get a polite reply from the channels before NLU.
export SANIC_REQUEST_MAX_SIZE="${SANIC_REQUEST_MAX_SIZE:-4000000}"
export MAX_MESSAGE_CHARS="${MAX_MESSAGE_CHARS:-1000}"
# shellcheck source=scripts/secrets.sh
source scripts/secrets.sh

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

.venv/bin/python -m actions.server --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
pids+=($!)

.venv/bin/python -m bot.web.server --port "$WEB_PORT" >var/log/web.log 2>&1 &
pids+=($!)

# Rasa's HTTP API (trackers, events, actions) is on with a token, or off with RASA_ENABLE_API=false.
api=()
if [ "${RASA_ENABLE_API:-true}" != "false" ]; then
  [ -n "${RASA_AUTH_TOKEN:-}" ] || { echo "RASA_AUTH_TOKEN is empty: the HTTP API does not start without it." >&2; exit 1; }
  api=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
fi
.venv/bin/rasa run "${api[@]}" -i 127.0.0.1 -p "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml --model models \
  --log-file var/log/rasa.log &
pids+=($!)

echo "Đang khởi động trợ lý (lần đầu mất khoảng 30 giây)…"
for _ in $(seq 1 180); do
  if curl -sf "http://127.0.0.1:$RASA_PORT/webhooks/rest/" >/dev/null 2>&1 \
     && curl -sf "http://127.0.0.1:$ACTIONS_PORT/health" >/dev/null 2>&1 \
     && curl -sf "http://127.0.0.1:$WEB_PORT/api/config" >/dev/null 2>&1; then
    cat <<MSG

Trợ lý đã sẵn sàng.
  • Trang cổng dịch vụ công minh hoạ có khung chat:  http://127.0.0.1:$WEB_PORT/
  • Trò chuyện trong terminal khác:  make shell
  • Hoặc qua REST:  curl -s http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
        -H 'Content-Type: application/json' -d '{"sender":"demo","message":"xin chào"}'
  • Rasa: http://127.0.0.1:$RASA_PORT  ·  action server: http://127.0.0.1:$ACTIONS_PORT
  • HTTP API của Rasa cần token: ?token=\$RASA_AUTH_TOKEN (mặc định trong var/secrets.env)
  • Nhật ký: var/log/   ·  Dừng: Ctrl-C
MSG
    wait -n "${pids[@]}"
    echo "Một tiến trình đã dừng; xem var/log/." >&2
    exit 1
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "Khởi động thất bại; xem var/log/." >&2; exit 1; }
  done
  sleep 1
done
echo "Quá thời gian chờ khởi động; xem var/log/." >&2
exit 1
