#!/usr/bin/env bash
# Checks the README's "Use Myelin in your project" steps word for word, as a user would: installs Myelin
# into the local Maven repository, copies examples/hello to a new folder outside this checkout, builds and
# runs it there with the Maven wrapper, then runs the single-file route. Called by .ci/run.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$root/scripts/jdk.sh"
myelin_find_jdk
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== ./mvnw install -DskipTests (in the Myelin checkout)"
(cd "$root" && ./mvnw -B -q install -DskipTests)

echo "== a new project in $work/hello: mvn compile exec:exec"
cp -r "$root/examples/hello" "$work/hello"
out="$(cd "$work/hello" && "$root/mvnw" -B -q compile exec:exec 2>&1)"
echo "$out" | tail -n 3
echo "$out" | grep -q "^test accuracy: 0\.[6-9]" || { echo "the project did not train (expected 'test accuracy: 0.6..0.9x')" >&2; exit 1; }
if echo "$out" | grep -q "scalar reference backend"; then echo "the project ran without the Vector API" >&2; exit 1; fi

echo "== the single-file route: java --add-modules jdk.incubator.vector -cp myelin-core.jar Hello.java"
jar="$HOME/.m2/repository/dev/myelin/myelin-core/0.1.0-SNAPSHOT/myelin-core-0.1.0-SNAPSHOT.jar"
cp "$root/examples/hello/src/main/java/com/example/Hello.java" "$work/Hello.java"
sed -i 's/^package com.example;//' "$work/Hello.java"
out="$(cd "$work" && "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$jar" Hello.java 2>&1)"
echo "$out" | tail -n 1
echo "$out" | grep -q "^test accuracy: 0\.[6-9]" || { echo "the single-file program did not train" >&2; exit 1; }
echo "user project: OK"
