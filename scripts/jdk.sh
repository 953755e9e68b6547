# Sourced by ./myelin and .ci/run: makes JAVA_HOME point at a JDK 25 or newer.
# Keeps JAVA_HOME when it already is one; otherwise looks in the usual places.
java_major() { # prints the major version of the JDK at $1, or nothing
  local v=""
  # The JDK's release file names its version (JAVA_VERSION="25.0.3"): reading it costs nothing, where asking the JVM
  # starts one (50-100 ms on every ./myelin run). The JVM is asked only when the file is missing or says nothing usable.
  if [ -r "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
  fi
  echo "${v%%.*}"
}
myelin_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/java-2[5-9]* \
                   /usr/lib/jvm/jdk-2[5-9]* /opt/java/openjdk /opt/jdk-2[5-9]* "$HOME"/.sdkman/candidates/java/2[5-9]*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  fi
  cat >&2 <<'MSG'
Myelin needs a JDK 25 or newer, and none was found (JAVA_HOME is unset or older).
Install one, for example Eclipse Temurin 25 (https://adoptium.net, or the temurin-25-jdk package),
then run again or set JAVA_HOME to it.
MSG
  return 1
}
