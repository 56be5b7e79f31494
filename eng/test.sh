#!/usr/bin/env bash
# Runs every test project and ends with "N passed, N failed", counted from the TRX results.
set -uo pipefail
cd "$(dirname "$0")/.."
./eng/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
echo "test: building Aspire.sln"
dotnet build Aspire.sln --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

results="$PWD/TestResults"
rm -rf "$results"
mkdir -p "$results"

# Formatting is part of the build's contract, a drift counts as one failure. The build above already enforces code
# style and the analyzers (EnforceCodeStyleInBuild, warnings as errors), so only whitespace is left to check here:
# seconds of one core, where the whole of `dotnet format` took two and a half CPU-minutes from the first tests.
dotnet format whitespace Aspire.sln --verify-no-changes >"$results/format.log" 2>&1 &
format=$!

# A test platform that failed to start and was started again writes why here (tests/Platform.Testing/TestPlatform.cs).
export PLATFORM_START_FAILURES="$results/platform-start-failures.log"

crashed=0
timings=()
# Unit tests first (seconds), then the projects that start the platform. Not test projects (see
# tests/Directory.Build.props): the shared fixtures, the operator's MCP server and the benchmarks.
for project in tests/*.UnitTests/*.csproj $(ls tests/*/*.csproj | grep -v '\.UnitTests/'); do
  name=$(basename "$project" .csproj)
  case "$name" in Benchmarks|Platform.Testing|OperatorMcpServer) continue ;; esac
  echo "test: $name"
  started=$SECONDS
  if ! dotnet test --project "$project" --no-build --report-xunit-trx --results-directory "$results/$name"; then
    # A project that failed without writing results (a crash) still counts as a failure below.
    compgen -G "$results/$name/*.trx" >/dev/null || crashed=$((crashed + 1))
  fi
  # Where the run's time goes (CI allows 20 minutes for the whole of it).
  timings+=("$(printf '%5d s  %s' $((SECONDS - started)) "$name")")
done

if ! wait "$format"; then
  cat "$results/format.log"
  echo "test: dotnet format found files to fix (run: dotnet format Aspire.sln)"
  crashed=$((crashed + 1))
fi

passed=0
failed=$crashed
for trx in "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
  failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")))
done

# The failures again at the end, where a reader of the log's tail finds them: name and the first lines of the message.
# (A TRX file holds its results on few long lines: one record per result.)
for trx in "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  awk 'BEGIN { RS = "<UnitTestResult " }
    NR > 1 {
      head = substr($0, 1, index($0, ">"))
      if (head !~ /outcome="Failed"/) next
      match(head, /testName="[^"]*"/)
      print "failed: " substr(head, RSTART + 10, RLENGTH - 11)
      start = index($0, "<Message>")
      if (start == 0) next
      message = substr($0, start + 9)
      lines = split(substr(message, 1, index(message, "</Message>") - 1), line, "\n")
      for (i = 1; i <= lines && i <= 6; i++) print "  " line[i]
    }' "$trx"
done

if [ -s "$PLATFORM_START_FAILURES" ]; then
  echo "test: platforms that failed to start once (started again; see $PLATFORM_START_FAILURES):"
  grep -o '^[^ ]* a platform.s start failed and was tried again: [^:]*: .\{0,300\}' "$PLATFORM_START_FAILURES"
fi

printf 'test: %s\n' "${timings[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
