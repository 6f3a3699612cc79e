#!/usr/bin/env bash
# Sourced by scripts/run.sh: the secrets a deployment sets in its environment (docs/security.md).
# On the embedded defaults, random ones are made once in var/secrets.env (mode 0600, ignored by
# git) and reused, so the counters and sessions survive a restart. Set variables win.
mkdir -p var
if [ ! -s var/secrets.env ]; then
  umask 077
  {
    for name in RASA_AUTH_TOKEN ACTION_SERVER_TOKEN ASSISTANT_SECRET WEB_SESSION_SECRET; do
      printf '%s=%s\n' "$name" "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    done
  } > var/secrets.env
fi
while IFS='=' read -r name value; do
  [ -n "$name" ] && [ -z "${!name:-}" ] && export "$name=$value"
done < var/secrets.env
