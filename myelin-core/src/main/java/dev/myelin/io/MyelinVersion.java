package dev.myelin.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this Myelin, as the build recorded it, for the files it writes. */
public final class MyelinVersion {
    private static final String VERSION = read();

    private MyelinVersion() {}

    /** Such as {@code 0.1.0-SNAPSHOT}; {@code "unknown"} when run from classes the build did not package. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = MyelinVersion.class.getResourceAsStream("myelin-version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
