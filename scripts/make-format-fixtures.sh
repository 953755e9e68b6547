#!/usr/bin/env bash
# Writes the model-format fixtures that tests read to prove later Myelin versions still load old files.
# Format 1 was written once, by the commit that introduced it; do not regenerate it (that would defeat
# its purpose). A new format version gets a new fixture class and a new line here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh && myelin_find_jdk
./mvnw -B -q -o -pl myelin-core test-compile
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp myelin-core/target/classes:myelin-core/target/test-classes \
    dev.myelin.models.FormatV1Fixture myelin-core/src/test/resources/dev/myelin/models
