package dev.keyless.aws;

import dev.keyless.aws.internal.sts.RoleArns;
import dev.keyless.aws.internal.sts.SessionNames;
import dev.keyless.aws.internal.sts.StsExchange;
import dev.keyless.aws.internal.sts.StsFailures;
import dev.keyless.aws.trust.TrustEvaluation;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.internal.Backoff;
import dev.keyless.core.internal.Endpoints;
import dev.keyless.core.refresh.RefreshingValue;
import dev.keyless.core.source.TokenSources;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * AWS credentials for an IAM role, obtained by exchanging an OIDC identity token at STS
 * (AssumeRoleWithWebIdentity) and refreshed before they expire.
 *
 * <p>Every exchange uses a fresh token from the {@link TokenSource}; the credentials are cached and refreshed by
 * keyless-core's refresh engine, so {@link #resolveCredentials()} is a lock-free read on the hot path and exactly
 * one STS call is in flight however many threads ask. Failures are {@link AwsExchangeException}s whose diagnosis
 * shows the claims presented (never the token) and the fix.
 *
 * <p>Defaults: the token source is found by {@link TokenSources#detect(Environment)}; audience
 * {@code sts.amazonaws.com}; session name derived from the job (GitHub repository and run id, GitLab project and
 * job); duration 1 hour; region from the SDK's region chain, else us-east-1, always its regional STS endpoint;
 * 3 attempts for transient STS failures. Close it to stop background refreshes and, when it built its own
 * {@link StsClient}, to close that client.
 */
public final class WebIdentityCredentialsProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    /** The audience AWS documents for IAM OIDC providers, and Keyless's default. */
    public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

    private final String roleArn;
    private final TokenSource tokenSource;
    private final String audience;
    private final String sessionName;
    private final Duration duration;
    private final String policy;
    private final List<String> policyArns;
    private final StsClient sts;
    private final boolean ownsSts;
    private final Function<IdentityToken, Optional<Diagnosis>> trustExplainer;
    private final StsExchange exchange;
    private final RefreshingValue<AwsSessionCredentials> credentials;

    private WebIdentityCredentialsProvider(Builder b) {
        this.roleArn = RoleArns.validate(b.roleArn, "roleArn");
        Environment env = b.environment;
        this.tokenSource = b.tokenSource != null ? b.tokenSource : TokenSources.detect(env);
        this.audience = b.audience;
        this.sessionName = b.sessionName != null ? SessionNames.validate(b.sessionName, "roleSessionName")
                : SessionNames.derive(env, b.clock);
        this.duration = b.duration;
        this.policy = b.policy;
        this.policyArns = List.copyOf(b.policyArns);
        this.trustExplainer = b.trustExplainer;
        if (b.stsClient != null) {
            this.sts = b.stsClient;
            this.ownsSts = false;
        } else {
            Region region = b.region != null ? b.region : StsExchange.defaultRegion(() -> DefaultAwsRegionProviderChain.builder().build().getRegion());
            this.sts = StsExchange.client(region, Optional.ofNullable(b.endpoint), AnonymousCredentialsProvider.create());
            this.ownsSts = true;
        }
        this.exchange = new StsExchange(b.maxAttempts, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(3)));
        RefreshingValue.Builder<AwsSessionCredentials> rb = RefreshingValue
                .builder("AWS credentials for " + roleArn, this::assumeRole)
                .clock(b.clock);
        if (b.executor != null) {
            rb.executor(b.executor);
        }
        if (b.prefetch != null) {
            rb.prefetch(b.prefetch);
        }
        if (b.stale != null) {
            rb.stale(b.stale);
        }
        this.credentials = rb.build();
    }

    /** A provider for the role with every default: the token source is detected from the environment. */
    public static WebIdentityCredentialsProvider create(String roleArn) {
        return builder().roleArn(roleArn).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return credentials.get();
    }

    /**
     * A view of this provider that SDK clients cannot close. AWS SDK v2 clients close the credentials provider
     * they were built with when they are closed; pass {@code borrowed()} to clients that share this provider and
     * are closed on their own, and close the provider itself once, at the end.
     */
    public AwsCredentialsProvider borrowed() {
        return this::resolveCredentials;
    }

    /** The role this provider assumes. */
    public String roleArn() {
        return roleArn;
    }

    /** The role session name sent to STS (visible in CloudTrail). */
    public String sessionName() {
        return sessionName;
    }

    /** The token source used for every exchange. */
    public TokenSource tokenSource() {
        return tokenSource;
    }

    private dev.keyless.core.refresh.Expiring<AwsSessionCredentials> assumeRole() {
        return exchange.run(attempt -> {
            IdentityToken token = tokenSource.token(TokenRequest.forAudience(audience));
            attempt.usedToken(token);
            AssumeRoleWithWebIdentityRequest.Builder request = AssumeRoleWithWebIdentityRequest.builder()
                    .roleArn(roleArn)
                    .roleSessionName(sessionName)
                    .webIdentityToken(token.value())
                    .durationSeconds((int) duration.toSeconds());
            if (policy != null) {
                request.policy(policy);
            }
            if (!policyArns.isEmpty()) {
                List<PolicyDescriptorType> arns = new ArrayList<>();
                policyArns.forEach(arn -> arns.add(PolicyDescriptorType.builder().arn(arn).build()));
                request.policyArns(arns);
            }
            return sts.assumeRoleWithWebIdentity(request.build()).credentials();
        }, token -> new StsFailures.Attempt("AssumeRoleWithWebIdentity", roleArn, token, tokenSource.name(), duration, trustExplainer));
    }

    @Override
    public void close() {
        credentials.close();
        if (ownsSts) {
            sts.close();
        }
    }

    @Override
    public String toString() {
        return "WebIdentityCredentialsProvider{role=" + roleArn + ", session=" + sessionName + ", audience=" + audience
                + ", source=" + tokenSource.name() + "}";
    }

    /** Configures a {@link WebIdentityCredentialsProvider}; only the role ARN is required. */
    public static final class Builder {
        private String roleArn;
        private TokenSource tokenSource;
        private String audience = DEFAULT_AUDIENCE;
        private String sessionName;
        private Duration duration = Duration.ofHours(1);
        private String policy;
        private final List<String> policyArns = new ArrayList<>();
        private Region region;
        private URI endpoint;
        private StsClient stsClient;
        private Clock clock = Clock.systemUTC();
        private Environment environment = Environment.system();
        private ScheduledExecutorService executor;
        private Duration prefetch;
        private Duration stale;
        private int maxAttempts = 3;
        private Function<IdentityToken, Optional<Diagnosis>> trustExplainer;

        private Builder() {
        }

        /** The role to assume, {@code arn:aws:iam::ACCOUNT:role/NAME}. Required. */
        public Builder roleArn(String roleArn) {
            this.roleArn = roleArn;
            return this;
        }

        /** Where identity tokens come from. By default, {@link TokenSources#detect(Environment)}. */
        public Builder tokenSource(TokenSource tokenSource) {
            this.tokenSource = Objects.requireNonNull(tokenSource, "tokenSource");
            return this;
        }

        /** The audience requested from the token source. By default, {@code sts.amazonaws.com}. */
        public Builder audience(String audience) {
            if (audience == null || audience.isBlank()) {
                throw ConfigurationException.badOption("audience", "it is blank",
                        "Pass the client id registered on the IAM OIDC provider, usually sts.amazonaws.com.");
            }
            this.audience = audience;
            return this;
        }

        /** The role session name, 2 to 64 characters of {@code [\w+=,.@-]}. By default, derived from the job. */
        public Builder roleSessionName(String sessionName) {
            this.sessionName = sessionName;
            return this;
        }

        /** The session duration, 900 to 43200 seconds (and at most the role's maximum). By default, 1 hour. */
        public Builder duration(Duration duration) {
            long s = duration.toSeconds();
            if (s < 900 || s > 43200) {
                throw ConfigurationException.badOption("duration", "must be between 900 and 43200 seconds, got " + s,
                        "Pass a duration from 15 minutes to 12 hours; the role's MaxSessionDuration must allow it too.");
            }
            this.duration = duration;
            return this;
        }

        /** An inline session policy (JSON) that narrows the role's permissions. By default, none. */
        public Builder policy(String policyJson) {
            this.policy = policyJson;
            return this;
        }

        /** Managed policy ARNs that narrow the role's permissions, at most 10. By default, none. */
        public Builder policyArns(List<String> arns) {
            if (arns.size() > 10) {
                throw ConfigurationException.badOption("policyArns", "STS accepts at most 10 managed session policies, got " + arns.size(),
                        "Pass at most 10 ARNs, or combine policies.");
            }
            for (String arn : arns) {
                if (arn == null || !arn.matches("arn:aws[\\w-]*:iam::(\\d{12}|aws):policy/.+")) {
                    throw ConfigurationException.badOption("policyArns", "'" + arn + "' is not a managed policy ARN",
                            "Use arn:aws:iam::ACCOUNT:policy/NAME or arn:aws:iam::aws:policy/NAME.");
                }
            }
            this.policyArns.clear();
            this.policyArns.addAll(arns);
            return this;
        }

        /** The STS region. By default, the SDK's region chain (AWS_REGION, profile...), else us-east-1. */
        public Builder region(Region region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** An STS endpoint override (FIPS, VPC endpoint, the testkit). https, or http on loopback only. By default, the region's. */
        public Builder stsEndpoint(URI endpoint) {
            this.endpoint = Endpoints.requireSafe(endpoint, "stsEndpoint");
            return this;
        }

        /** A caller-supplied STS client, not closed by the provider. By default, the provider builds and owns one. */
        public Builder stsClient(StsClient client) {
            this.stsClient = Objects.requireNonNull(client, "stsClient");
            return this;
        }

        /** Attempts for transient STS failures, 1 to 10. By default, 3. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 10) {
                throw ConfigurationException.badOption("maxAttempts", "must be between 1 and 10, got " + maxAttempts, "Pass 1 to 10.");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The environment used for detection and the default session name. By default, the process environment. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** The clock. By default, the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The executor for background refreshes. By default, one daemon thread owned by the provider. */
        public Builder executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** How long before expiry to refresh in the background. By default, 5 minutes. */
        public Builder prefetch(Duration prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /** How long before expiry callers wait for new credentials. By default, 1 minute. */
        public Builder stale(Duration stale) {
            this.stale = stale;
            return this;
        }

        /**
         * The role's trust policy, when you have it: an AccessDenied is then explained by evaluating the policy
         * against the token presented (which condition failed, expected against actual, "did you mean").
         * By default, none: the diagnosis lists the claims presented and the usual causes.
         */
        public Builder trustPolicy(TrustPolicy policy) {
            Objects.requireNonNull(policy, "policy");
            this.trustExplainer = token -> {
                TrustEvaluation evaluation = policy.evaluate(token);
                return evaluation.allowed() ? Optional.empty() : Optional.of(evaluation.explain());
            };
            return this;
        }

        public WebIdentityCredentialsProvider build() {
            return new WebIdentityCredentialsProvider(this);
        }
    }
}
