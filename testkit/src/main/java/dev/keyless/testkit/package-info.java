/**
 * A local cloud on loopback for tests and demos: an OIDC issuer ({@link dev.keyless.testkit.LocalIssuer}), the
 * GitHub Actions ID-token endpoint ({@link dev.keyless.testkit.GitHubTokenEndpoint}) and AWS STS
 * ({@link dev.keyless.testkit.LocalSts}), speaking the real wire formats strictly enough that a misconfiguration
 * fails here with the error code it gets in the cloud. {@link dev.keyless.testkit.LocalCloud} starts them
 * together; {@link dev.keyless.testkit.LocalCloudTest} does so for a JUnit 5 test.
 *
 * <p>Every server binds 127.0.0.1 on a random port and reads time from an injected clock
 * ({@link dev.keyless.testkit.MutableClock} in tests).
 */
package dev.keyless.testkit;
