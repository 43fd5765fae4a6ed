# The two commands of the README. Both do their own set-up on a fresh machine (scripts/setup.sh).
.PHONY: run test build unit bench clean

run:
	scripts/stack.sh

test:
	scripts/setup.sh
	scripts/with-test-db.sh mvn -B verify

build:
	scripts/setup.sh
	mvn -B -q package -DskipTests -DskipITs

unit:
	scripts/with-test-db.sh mvn -B verify -DskipITs

# Figures for the issue notes: reservations/s and the time to choose a host over 1,000 and 10,000
# hosts x 8 GPUs in MariaDB, end-to-end deploy latency p50/p99 at 1 and 20 concurrent on a private local
# stack, and stop/start/migrate/destroy latency with deploy's ratio to a do-nothing Deploy-shaped
# workflow (LifecycleLatencyBench, on a stack of its own with the bench-only hosts B1/B2); one usage period
# of 100,000 instances, the export of a day of 2.4 M usage records in a 256 MB heap, and reconciling 1,000
# hosts x 8 GPUs (UsageBench, on the same throw-away MariaDB); admission latency and rate with 1,000 queued
# requests (AdmissionBench, same MariaDB). Prints lines starting BENCH.
# The reservation bench's JVM is the system under test (placement runs in it), so it gets the full JIT;
# it needs only a MariaDB (a throw-away one, BENCH_DB_PORT), no stack running beside it.
bench:
	scripts/setup.sh
	mvn -B -q install -DskipTests -DskipITs
	TEST_DB_ARGS="--innodb-buffer-pool-size=1G --innodb-log-file-size=512M" scripts/with-test-db.sh bash -c 'u=$${GPUCLOUD_API_TEST_DB_URL#*127.0.0.1:}; export BENCH_DB_PORT=$${u%%/*}; \
	  mvn -B -pl integration-tests test -Dgroups=bench -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -DskipStackExecutions=true \
	  -Dtest=ReservationBench,UsageBench,AdmissionBench -Dit.jvmArgs=' | grep -E 'BENCH|Tests run:|FAIL|ERROR'
	mvn -B -pl integration-tests test -Dgroups=bench -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -DskipStackExecutions=true \
	  -Dtest=DeployLatencyBench | grep -E 'BENCH|Tests run:|FAIL|ERROR'
	mvn -B -pl integration-tests test -Dgroups=bench -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -DskipStackExecutions=true \
	  -Dtest=LifecycleLatencyBench | grep -E 'BENCH|Tests run:|FAIL|ERROR'
	mvn -B -pl agent-worker test -Dgroups=bench -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -DskipStackExecutions=true \
	  | grep -E 'BENCH|Tests run:|FAIL|ERROR'

clean:
	mvn -B -q clean
