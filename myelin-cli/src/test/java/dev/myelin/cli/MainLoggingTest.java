package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The SLF4J provider Main names for jHDF's logging exists (a wrong name printed SLF4J's error and stack trace on every .h5 import). */
class MainLoggingTest {
    @Test
    void theNoLoggingProviderIsAnSlf4jProviderOnTheClasspath() throws Exception {
        Class<?> provider = Class.forName(Main.NO_LOGGING);
        assertTrue(org.slf4j.spi.SLF4JServiceProvider.class.isAssignableFrom(provider), provider.getName());
    }
}
