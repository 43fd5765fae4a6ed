# The two commands of the README. Both do their own set-up on a fresh machine (scripts/setup.sh).
.PHONY: run test build unit bench clean

run:
	scripts/stack.sh

test:
	scripts/setup.sh
	mvn -B verify

build:
	scripts/setup.sh
	mvn -B -q package -DskipTests

unit:
	mvn -B verify -DskipITs

clean:
	mvn -B -q clean
