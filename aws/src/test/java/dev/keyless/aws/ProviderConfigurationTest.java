package dev.keyless.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.aws.internal.sts.RoleArns;
import dev.keyless.aws.internal.sts.SessionNames;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/** Options are checked when the provider is built, with errors that name the option and the fix. */
class ProviderConfigurationTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:iam::123456789012:role/deploy", "arn:aws-cn:iam::123456789012:role/path/to/ci",
            "arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g"})
    void acceptsRoleArns(String arn) {
        assertThat(RoleArns.validate(arn, "roleArn")).isEqualTo(arn);
    }

    @Test
    void rejectsThingsThatAreNotRoleArnsWithAHint() {
        assertThatThrownBy(() -> RoleArns.validate("123456789012", "roleArn"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("account id alone");
        assertThatThrownBy(() -> RoleArns.validate("arn:aws:iam::123456789012:user/alice", "roleArn"))
                .hasMessageContaining("user ARN");
        assertThatThrownBy(() -> RoleArns.validate("arn:aws:sts::123456789012:assumed-role/deploy/s", "roleArn"))
                .hasMessageContaining("assumed-role");
        assertThatThrownBy(() -> RoleArns.validate("arn:aws:iam::12345678901:role/deploy", "roleArn"))
                .hasMessageContaining("'roleArn'").hasMessageContaining("12-digit");
        assertThatThrownBy(() -> RoleArns.validate(" ", "roleArn")).hasMessageContaining("AWS_ROLE_ARN");
    }

    @Test
    void sessionNameIsDerivedFromTheGitHubRunAndSanitised() {
        Environment env = Environment.of(Map.of("GITHUB_REPOSITORY", "acme/deploy tool", "GITHUB_RUN_ID", "987654321",
                "GITHUB_RUN_ATTEMPT", "2"));
        assertThat(SessionNames.derive(env, CLOCK)).isEqualTo("gha-acme-deploy-tool-987654321-2");
    }

    @Test
    void sessionNameFallsBackToGitLabThenToTheClock() {
        assertThat(SessionNames.derive(Environment.of(Map.of("CI_PROJECT_PATH", "group/sub/project", "CI_JOB_ID", "42")), CLOCK))
                .isEqualTo("gitlab-group-sub-project-42");
        assertThat(SessionNames.derive(Environment.of(Map.of()), CLOCK)).isEqualTo("keyless-" + CLOCK.instant().getEpochSecond());
    }

    @Test
    void sanitisedNamesAlwaysSatisfyStsRules() {
        for (String raw : List.of("", "a", "x".repeat(100), "repo:acme/app:ref:refs/heads/main", "ünïcödé ✓")) {
            assertThat(SessionNames.sanitise(raw)).matches("[\\w+=,.@-]{2,64}");
        }
        assertThatThrownBy(() -> SessionNames.validate("has space", "roleSessionName"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("roleSessionName");
    }

    @Test
    void builderRejectsBadOptions() {
        assertThatThrownBy(() -> WebIdentityCredentialsProvider.builder().duration(Duration.ofSeconds(899)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("duration").hasMessageContaining("900");
        assertThatThrownBy(() -> WebIdentityCredentialsProvider.builder().duration(Duration.ofHours(13)))
                .hasMessageContaining("43200");
        assertThatThrownBy(() -> WebIdentityCredentialsProvider.builder().policyArns(
                java.util.Collections.nCopies(11, "arn:aws:iam::aws:policy/ReadOnlyAccess")))
                .hasMessageContaining("at most 10");
        assertThatThrownBy(() -> WebIdentityCredentialsProvider.builder().policyArns(List.of("ReadOnlyAccess")))
                .hasMessageContaining("policyArns");
        assertThatThrownBy(() -> WebIdentityCredentialsProvider.builder().stsEndpoint(URI.create("http://sts.example.com")))
                .hasMessageContaining("plain http");
        assertThatThrownBy(() -> WebIdentityCredentialsProvider.builder().audience(" ")).hasMessageContaining("audience");
        assertThatThrownBy(() -> ChainedRoleCredentialsProvider.builder().duration(Duration.ofHours(2)))
                .hasMessageContaining("3600");
    }

    @Test
    void environmentPluginSaysNotConfiguredSoTheChainMovesOn() {
        EnvironmentWebIdentityCredentialsProvider keyless =
                EnvironmentWebIdentityCredentialsProvider.create(Environment.of(Map.of()), name -> null);
        assertThat(keyless.isConfigured()).isFalse();
        AwsCredentialsProviderChain chain = AwsCredentialsProviderChain.builder()
                .credentialsProviders(keyless, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "fallback-secret")))
                .build();
        assertThat(chain.resolveCredentials().accessKeyId()).isEqualTo("AKIDEXAMPLE");
        assertThat(keyless.toString()).contains("not configured");
    }

    @Test
    void environmentPluginReadsSystemPropertiesWhenVariablesAreUnset() {
        EnvironmentWebIdentityCredentialsProvider keyless = EnvironmentWebIdentityCredentialsProvider.create(
                Environment.of(Map.of()), name -> name.equals("aws.roleArn") ? "arn:aws:iam::123456789012:role/x" : null);
        assertThat(keyless.isConfigured()).isTrue();
    }
}
