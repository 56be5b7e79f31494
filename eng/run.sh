#!/usr/bin/env bash
# Starts the whole platform on its embedded defaults: the AppHost runs PostgreSQL, Redis, NATS and every service, with
# the Aspire dashboard; data in .data/. Release builds unless --debug is given (F5 in an IDE runs Debug too).
# Other arguments and environment variables reach the AppHost (for example Providers__mock__Kind=openai ./eng/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=Release
if [ "${1:-}" = "--debug" ]; then
  configuration=Debug
  shift
fi

./eng/setup.sh
echo "run: building the AppHost and the services ($configuration)"
dotnet build AppHost/AppHost.csproj -c "$configuration" --nologo -v quiet -clp:ErrorsOnly
# The launch profile gives the dashboard its address (http://localhost:18888) and the OTLP endpoint the services report to.
exec dotnet run --project AppHost/AppHost.csproj -c "$configuration" --no-build --launch-profile http -- "$@"
