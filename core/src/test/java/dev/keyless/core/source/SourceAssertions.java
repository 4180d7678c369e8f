package dev.keyless.core.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.KeylessException;

/** Checks shared by the local token source tests. */
final class SourceAssertions {
    private SourceAssertions() {
    }

    /** Asserts that no text of the exception, its diagnosis or its causes contains the secret. */
    static void assertNoSecret(Throwable e, String secret) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
            assertThat(t.toString()).doesNotContain(secret);
            if (t instanceof KeylessException) {
                assertThat(((KeylessException) t).diagnosis().render()).doesNotContain(secret);
            }
        }
    }

    /** The diagnosis code of a Keyless exception. */
    static String code(Throwable e) {
        assertThat(e).isInstanceOf(KeylessException.class);
        return ((KeylessException) e).diagnosis().code();
    }
}
