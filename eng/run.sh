#!/usr/bin/env bash
# Starts the whole platform on its embedded defaults: PostgreSQL, Redis, NATS and every service, data in .data/.
# Arguments and environment variables reach the AppHost (for example Providers__mock__Kind=openai ./eng/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./eng/setup.sh
exec dotnet AppHost/bin/Debug/net10.0/AppHost.dll "$@"
