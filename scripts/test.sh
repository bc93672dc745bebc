#!/usr/bin/env bash
# `npm test`: every test of both packages and the repository-wide checks, as node's test runner
# (TypeScript sources through tsx, the library from its sources), in two groups:
#  1. the tests whose verdict depends on the CPU share they get, one file at a time, as before:
#     whole lab fleets (replica processes and a load generator: "the balancer ejects the dead
#     replica"), balancers steering real loopback traffic away from a slow server, and a load
#     sweep that must see its low rate held. On this 2-core machine, run beside others they
#     starve (seen at load 8-10: the chaos lab never ejected its killed replica, a SIGKILLed
#     lab's replica outlived the 10 s wait, C3 sent 30% to the "20× slower" server once the
#     fast ones were as slow, the sweep's generator fell behind its schedule at 20/s);
#  2. every other file, HR_TEST_CONCURRENCY (default 4) files at once: they mostly wait on child
#     processes, sockets and timers, and own what they use (free ports, key prefixes, temp dirs).
# Both groups always run; the exit code is non-zero when either failed.
set -uo pipefail
cd "$(dirname "$0")/.."

SERIAL=(
  packages/cli/test/chaos-lab/chaos-scenario.test.ts
  packages/cli/test/lab/cli.test.ts
  packages/cli/test/lab/e2e.test.ts
  packages/cli/test/lab/keep-up.test.ts
  packages/cli/test/lab/slow-replicas-load.test.ts
  packages/cli/test/scale/lab-scale.test.ts
  packages/cli/test/scale/run-sweep.test.ts
  packages/headroom/test/balance/c3.test.ts
  packages/headroom/test/balance/http.integration.test.ts
  packages/headroom/test/balance/prequal.test.ts
)
# The longest of group 2 (30-70 s each alone at load 9) start first, so that none of them is
# still running alone at the end; a file missing here is simply not moved.
LONGEST=(
  packages/headroom/test/cache/redis/no-stale-set-shared.property.test.ts
  packages/cli/test/sim/sim-command.test.ts
  packages/cli/test/scale/fit-plan.test.ts
  packages/headroom/test/docs/quickstarts.test.ts
  packages/headroom/test/package/packed-install.test.ts
  packages/headroom/test/sim/reproductions.test.ts
  packages/headroom/test/sim/queueing.test.ts
  packages/cli/test/scale/redis-workers.test.ts
  packages/headroom/test/cache/docs-examples.test.ts
)
mapfile -t ALL < <(find packages/headroom/test packages/cli/test test -name '*.test.ts' | sort)
mapfile -t REST < <(
  printf '%s\n' "${LONGEST[@]}" | grep -xF -f <(printf '%s\n' "${ALL[@]}")
  printf '%s\n' "${ALL[@]}" | grep -vxF -f <(printf '%s\n' "${SERIAL[@]}" "${LONGEST[@]}")
)
for file in "${SERIAL[@]}"; do
  [ -f "$file" ] || { echo "scripts/test.sh: $file is gone: update SERIAL" >&2; exit 1; }
done

run() { node --conditions=headroom-source --import tsx --test --test-reporter=spec "$@"; }

echo "== ${#SERIAL[@]} CPU-share-sensitive test files, one at a time"
run --test-concurrency=1 "${SERIAL[@]}"
serial=$?
echo "== ${#REST[@]} other test files, ${HR_TEST_CONCURRENCY:-4} at a time"
run --test-concurrency="${HR_TEST_CONCURRENCY:-4}" "${REST[@]}" || exit
exit "$serial"
