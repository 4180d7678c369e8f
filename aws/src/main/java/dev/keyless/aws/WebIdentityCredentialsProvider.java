package dev.keyless.aws;

import dev.keyless.aws.internal.sts.StsFailures;
import dev.keyless.aws.trust.TrustEvaluation;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.source.TokenSources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;

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
 * {@link StsClient}, to close that client. AWS SDK clients close the provider they are given when they are
 * closed: give clients that share one provider {@link #borrowed()}.
 */
public final class WebIdentityCredentialsProvider extends RoleCredentialsProvider {
    /** The audience AWS documents for IAM OIDC providers, and Keyless's default. */
    public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

    private final TokenSource tokenSource;
    private final String audience;
    private final Duration duration;
    private final String policy;
    private final List<String> policyArns;
    private final Function<IdentityToken, Optional<Diagnosis>> trustExplainer;

    private WebIdentityCredentialsProvider(Builder b, TokenSource tokenSource) {
        super(b, "", AnonymousCredentialsProvider.create());
        this.tokenSource = tokenSource;
        this.audience = b.audience;
        this.duration = b.duration;
        this.policy = b.policy;
        this.policyArns = List.copyOf(b.policyArns);
        this.trustExplainer = b.trustExplainer;
    }

    /** A provider for the role with every default: the token source is detected from the environment. */
    public static WebIdentityCredentialsProvider create(String roleArn) {
        return builder().roleArn(roleArn).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The token source used for every exchange. */
    public TokenSource tokenSource() {
        return tokenSource;
    }

    @Override
    Expiring<AwsSessionCredentials> assumeRole() {
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
    public String toString() {
        return "WebIdentityCredentialsProvider{role=" + roleArn + ", session=" + sessionName + ", audience=" + audience
                + ", source=" + tokenSource.name() + "}";
    }

    /** Configures a {@link WebIdentityCredentialsProvider}; only the role ARN is required. */
    public static final class Builder extends RoleProviderBuilder<Builder> {
        private TokenSource tokenSource;
        private String audience = DEFAULT_AUDIENCE;
        private Duration duration = Duration.ofHours(1);
        private String policy;
        private final List<String> policyArns = new ArrayList<>();
        private Function<IdentityToken, Optional<Diagnosis>> trustExplainer;

        private Builder() {
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

        /** The session duration, 900 to 43200 seconds (and at most the role's maximum). By default, 1 hour. */
        public Builder duration(Duration duration) {
            this.duration = checkDuration(duration, 43200,
                    "Pass a duration from 15 minutes to 12 hours; the role's MaxSessionDuration must allow it too.");
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

        /**
         * Builds the provider; detects the token source first when none was given, so a job that is "here but
         * broken" (say, without {@code id-token: write}) fails here with the fix, before any client is created.
         */
        public WebIdentityCredentialsProvider build() {
            TokenSource source = tokenSource != null ? tokenSource : TokenSources.detect(environment);
            return new WebIdentityCredentialsProvider(this, source);
        }
    }
}
