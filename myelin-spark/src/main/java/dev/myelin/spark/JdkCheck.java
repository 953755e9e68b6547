package dev.myelin.spark;

/**
 * The JDK an executor must run: 25.0.3 or later. Spark 4.2 refuses JDK 25.0.0–25.0.2 (a G1 garbage-collector
 * bug that corrupts data) and older JDKs lack the Vector API level Myelin is built for; an executor JVM started
 * with another JDK than the driver's would otherwise fail later with an obscure class-file or linkage error.
 */
final class JdkCheck {
    /** The oldest JDK an executor may run. */
    static final Runtime.Version MINIMUM = Runtime.Version.parse("25.0.3");

    private JdkCheck() {}

    /** Checks this JVM, named by its Spark executor id and host. */
    static void requireHere() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "an unknown host";
        }
        require(Runtime.version(), (env == null ? "this JVM" : "executor " + env.executorId()) + " on " + host);
    }

    /** Throws, naming {@code where} and both versions, when {@code running} is older than {@link #MINIMUM}. */
    static void require(Runtime.Version running, String where) {
        if (running.compareToIgnoreOptional(MINIMUM) < 0) {
            throw new IllegalStateException(where + " runs JDK " + running + "; Myelin on Spark needs JDK " + MINIMUM
                    + " or later (Spark 4.2 refuses 25.0.0–25.0.2 for a G1 data-corruption bug): set JAVA_HOME on the executors"
                    + " (spark.executorEnv.JAVA_HOME) to a newer JDK");
        }
    }
}
