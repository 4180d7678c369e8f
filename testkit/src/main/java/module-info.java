/**
 * Keyless testkit: a local cloud on loopback (OIDC issuer, GitHub Actions token endpoint, AWS STS) speaking
 * the real wire formats, and a JUnit 5 extension that starts it for a test.
 */
module dev.keyless.testkit {
    requires transitive dev.keyless.core;
    requires jdk.httpserver;
    requires com.nimbusds.jose.jwt;
    // Only the JUnit extension needs JUnit: the CLI's `local-cloud` command runs the emulators without it.
    requires static transitive org.junit.jupiter.api;

    exports dev.keyless.testkit;
    exports dev.keyless.testkit.azure;
    exports dev.keyless.testkit.google;
}
