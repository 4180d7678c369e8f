package dev.keyless.aws;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.source.FileTokenSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * A plug-in for {@code AwsCredentialsProviderChain}: configures a {@link WebIdentityCredentialsProvider} from
 * environment variables and system properties, and says "not configured" (an {@link SdkClientException}, which
 * makes the chain move on) when no role is set.
 *
 * <p>Settings, each read from the environment variable first, then the system property:
 * <ul>
 *   <li>{@code AWS_ROLE_ARN} / {@code aws.roleArn}: the role; without it this provider is not configured;</li>
 *   <li>{@code AWS_ROLE_SESSION_NAME} / {@code aws.roleSessionName}: the session name (default derived from the job);</li>
 *   <li>{@code AWS_WEB_IDENTITY_TOKEN_FILE} / {@code aws.webIdentityTokenFile}: a token file; without it the token
 *       source is detected (GitHub Actions, GitLab...);</li>
 *   <li>{@code AWS_REGION} / {@code aws.region}: the STS region (default: the SDK's region chain);</li>
 *   <li>{@code KEYLESS_AWS_AUDIENCE} / {@code keyless.aws.audience}: the audience (default {@code sts.amazonaws.com});</li>
 *   <li>{@code KEYLESS_AWS_DURATION_SECONDS} / {@code keyless.aws.durationSeconds}: 900 to 43200 (default 3600);</li>
 *   <li>{@code KEYLESS_AWS_STS_ENDPOINT} / {@code keyless.aws.stsEndpoint}: an STS endpoint override.</li>
 * </ul>
 * The delegate is built on first use and reused; a configuration error is thrown to the caller (inside a chain,
 * the chain's final error lists it with the fix).
 */
public final class EnvironmentWebIdentityCredentialsProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    private final Environment environment;
    private final UnaryOperator<String> properties;
    private volatile WebIdentityCredentialsProvider delegate;
    private boolean closed;

    private EnvironmentWebIdentityCredentialsProvider(Environment environment, UnaryOperator<String> properties) {
        this.environment = environment;
        this.properties = properties;
    }

    /** Reads the process environment and system properties. */
    public static EnvironmentWebIdentityCredentialsProvider create() {
        return new EnvironmentWebIdentityCredentialsProvider(Environment.system(), System::getProperty);
    }

    /** Reads the given environment and properties (tests, or a configuration of your own). */
    public static EnvironmentWebIdentityCredentialsProvider create(Environment environment, UnaryOperator<String> properties) {
        return new EnvironmentWebIdentityCredentialsProvider(Objects.requireNonNull(environment, "environment"),
                Objects.requireNonNull(properties, "properties"));
    }

    /** Whether a role is configured, i.e. whether {@link #resolveCredentials()} will try at all. */
    public boolean isConfigured() {
        return setting("AWS_ROLE_ARN", "aws.roleArn").isPresent();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return delegate().resolveCredentials();
    }

    private WebIdentityCredentialsProvider delegate() {
        WebIdentityCredentialsProvider d = delegate;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("EnvironmentWebIdentityCredentialsProvider is closed");
            }
            if (delegate == null) {
                delegate = build();
            }
            return delegate;
        }
    }

    private WebIdentityCredentialsProvider build() {
        String role = setting("AWS_ROLE_ARN", "aws.roleArn").orElseThrow(() -> SdkClientException.create(
                "Keyless web identity is not configured: set AWS_ROLE_ARN (or the system property aws.roleArn)."));
        WebIdentityCredentialsProvider.Builder b = WebIdentityCredentialsProvider.builder().roleArn(role).environment(environment);
        setting("AWS_ROLE_SESSION_NAME", "aws.roleSessionName").ifPresent(b::roleSessionName);
        setting("AWS_WEB_IDENTITY_TOKEN_FILE", "aws.webIdentityTokenFile").ifPresent(f -> b.tokenSource(FileTokenSource.of(Path.of(f))));
        setting("AWS_REGION", "aws.region").ifPresent(r -> b.region(Region.of(r)));
        setting("KEYLESS_AWS_AUDIENCE", "keyless.aws.audience").ifPresent(b::audience);
        setting("KEYLESS_AWS_STS_ENDPOINT", "keyless.aws.stsEndpoint").ifPresent(e -> b.stsEndpoint(URI.create(e.strip())));
        setting("KEYLESS_AWS_DURATION_SECONDS", "keyless.aws.durationSeconds").ifPresent(s -> {
            try {
                b.duration(Duration.ofSeconds(Long.parseLong(s.strip())));
            } catch (NumberFormatException e) {
                throw ConfigurationException.badOption("KEYLESS_AWS_DURATION_SECONDS", "'" + s + "' is not a whole number of seconds",
                        "Set it to a number from 900 to 43200.");
            }
        });
        return b.build();
    }

    private Optional<String> setting(String variable, String property) {
        Optional<String> v = environment.get(variable);
        if (v.isPresent()) {
            return v;
        }
        String p = properties.apply(property);
        return p == null || p.isBlank() ? Optional.empty() : Optional.of(p);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (delegate != null) {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        WebIdentityCredentialsProvider d = delegate;
        return "EnvironmentWebIdentityCredentialsProvider{" + (d == null ? (isConfigured() ? "configured, not yet used" : "not configured") : d) + "}";
    }
}
