package dev.keyless.core.source;

import static dev.keyless.core.source.SourceAssertions.assertNoSecret;
import static dev.keyless.core.source.SourceAssertions.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.DetectionReport.Candidate;
import dev.keyless.core.source.DetectionReport.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenSourcesTest {
    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");
    private static final String TOKEN = TestTokens.jwt("https://ci.example", "job", "sts.amazonaws.com", EXP);
    private static final List<String> ORDER = List.of("override", "github-actions", "gitlab", "circleci", "buildkite",
            "bitbucket", "azure-pipelines", "terraform", "aws-web-identity-token-file", "azure-federated-token-file",
            "google-metadata");
    private static final Map<String, String> GITHUB = Map.of("GITHUB_ACTIONS", "true",
            "ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.githubusercontent.com/x?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token-secret");

    @TempDir
    Path dir;

    private static Environment env(Map<String, String> a) {
        return Environment.of(a);
    }

    @SafeVarargs
    private static Environment env(Map<String, String>... parts) {
        Map<String, String> all = new HashMap<>();
        for (Map<String, String> p : parts) {
            all.putAll(p);
        }
        return Environment.of(all);
    }

    private static ConfigurationException detectFails(Environment env) {
        Throwable e = catchThrowable(() -> TokenSources.detect(env));
        assertThat(e).isInstanceOf(ConfigurationException.class);
        return (ConfigurationException) e;
    }

    private static Candidate candidate(DetectionReport report, String name) {
        return report.candidates().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private Path tokenFile() throws IOException {
        return Files.writeString(dir.resolve("token"), TOKEN);
    }

    // ---- nothing here ---------------------------------------------------------------------------------

    @Test
    void nothingHereListsWhatWasLookedAtAndHowToConfigureASource() {
        ConfigurationException e = detectFails(env(Map.of()));

        assertThat(e.diagnosis().code()).isEqualTo("detect.nothing-found");
        assertThat(e.diagnosis().evidence()).containsOnlyKeys(ORDER)
                .containsEntry("github-actions", "GITHUB_ACTIONS is not true")
                .containsEntry("gitlab", "GITLAB_CI is not true")
                .containsEntry("aws-web-identity-token-file", "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
        assertThat(e.getMessage()).contains("KEYLESS_TOKEN_FILE").contains("KEYLESS_TOKEN_SOURCE")
                .contains("FileTokenSource.of(path)");

        DetectionReport report = TokenSources.report(env(Map.of()));
        assertThat(report.candidates()).extracting(Candidate::name).containsExactlyElementsOf(ORDER);
        assertThat(report.candidates()).extracting(Candidate::outcome).containsOnly(Outcome.NOT_HERE);
        assertThat(report.selected()).isEmpty();
        assertThat(code(catchThrowable(report::source))).isEqualTo("detect.nothing-found");
        assertThat(report.render()).contains("Nothing found");
    }

    // ---- each CI ----------------------------------------------------------------------------------------

    @Test
    void gitHubActionsIsFoundAndWithoutTheRequestVariablesItIsBroken() {
        assertThat(TokenSources.detect(env(GITHUB))).isInstanceOf(GitHubActionsTokenSource.class);

        ConfigurationException e = detectFails(env(Map.of("GITHUB_ACTIONS", "true")));
        assertThat(e.getMessage()).contains("id-token: write");
        DetectionReport report = TokenSources.report(env(Map.of("GITHUB_ACTIONS", "true")));
        assertThat(report.selected().orElseThrow().name()).isEqualTo("github-actions");
        assertThat(report.selected().orElseThrow().outcome()).isEqualTo(Outcome.BROKEN);
        assertThat(report.selected().orElseThrow().diagnosis().orElseThrow().fix()).contains("id-token: write");
        assertNoSecret(catchThrowable(report::source), "request-token-secret");
    }

    @Test
    void gitLabUsesTheFirstKnownIdTokenVariable() {
        TokenSource source = TokenSources.detect(env(Map.of("GITLAB_CI", "true", "ID_TOKEN", "x",
                "KEYLESS_ID_TOKEN", "y", "GITLAB_OIDC_TOKEN", TOKEN)));

        assertThat(source.name()).isEqualTo("gitlab:GITLAB_OIDC_TOKEN");
        assertThat(source.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);
        assertThat(TokenSources.detect(env(Map.of("GITLAB_CI", "true", "KEYLESS_ID_TOKEN", "y", "ID_TOKEN", "x"))).name())
                .isEqualTo("gitlab:ID_TOKEN");
        assertThat(TokenSources.detect(env(Map.of("GITLAB_CI", "true", "KEYLESS_ID_TOKEN", "y"))).name())
                .isEqualTo("gitlab:KEYLESS_ID_TOKEN");
        assertThat(candidate(TokenSources.report(env(Map.of("GITLAB_CI", "true", "ID_TOKEN", "x"))), "gitlab").reason())
                .isEqualTo("GITLAB_CI=true, token in ID_TOKEN");
    }

    @Test
    void gitLabUsesTheVariableNamedByKeylessGitlabTokenVariable() {
        TokenSource source = TokenSources.detect(env(Map.of("GITLAB_CI", "true", "KEYLESS_GITLAB_TOKEN_VARIABLE", "AWS_TOKEN",
                "AWS_TOKEN", TOKEN, "GITLAB_OIDC_TOKEN", "other")));
        assertThat(source.name()).isEqualTo("gitlab:AWS_TOKEN");

        ConfigurationException e = detectFails(env(Map.of("GITLAB_CI", "true", "KEYLESS_GITLAB_TOKEN_VARIABLE", "AWS_TOKEN",
                "GITLAB_OIDC_TOKEN", TOKEN)));
        assertThat(e.getMessage()).contains("KEYLESS_GITLAB_TOKEN_VARIABLE names AWS_TOKEN, which is not set")
                .contains("    AWS_TOKEN:\n");
    }

    @Test
    void gitLabWithoutAnIdTokenIsBrokenWithTheYamlFix() {
        ConfigurationException e = detectFails(env(Map.of("GITLAB_CI", "true")));

        assertThat(e.diagnosis().code()).isEqualTo("gitlab.missing-id-token");
        assertThat(e.diagnosis().fix()).contains("id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: sts.amazonaws.com");
        assertThat(e.diagnosis().evidence()).containsEntry("variables looked at", "GITLAB_OIDC_TOKEN, ID_TOKEN, KEYLESS_ID_TOKEN");
    }

    @Test
    void circleCiIsFoundOrBrokenWithTheContextFix() {
        TokenSource found = TokenSources.detect(env(Map.of("CIRCLECI", "true", "CIRCLE_OIDC_TOKEN", TOKEN)));
        assertThat(found.name()).isEqualTo("circleci");
        assertThat(found.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);

        ConfigurationException e = detectFails(env(Map.of("CIRCLECI", "true")));
        assertThat(e.diagnosis().code()).isEqualTo("circleci.missing-oidc-token");
        assertThat(e.diagnosis().fix()).contains("context").contains("every job");
    }

    @Test
    void buildkiteUsesTheAgentCommand() {
        TokenSource source = TokenSources.detect(env(Map.of("BUILDKITE", "true")));

        assertThat(source).isInstanceOf(CommandTokenSource.class);
        assertThat(((CommandTokenSource) source).command()).startsWith("buildkite-agent", "oidc", "request-token");
        assertThat(source.supportsRequestedAudience()).isTrue();
    }

    @Test
    void bitbucketIsFoundOrBrokenWithTheOidcTrueFix() {
        TokenSource found = TokenSources.detect(env(Map.of("BITBUCKET_BUILD_NUMBER", "7", "BITBUCKET_STEP_OIDC_TOKEN", TOKEN)));
        assertThat(found.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);

        ConfigurationException e = detectFails(env(Map.of("BITBUCKET_BUILD_NUMBER", "7")));
        assertThat(e.diagnosis().code()).isEqualTo("bitbucket.missing-oidc-token");
        assertThat(e.diagnosis().fix()).contains("oidc: true");
    }

    @Test
    void azurePipelinesIsDetectedThroughItsSource() {
        Map<String, String> azure = Map.of("TF_BUILD", "True",
                "SYSTEM_OIDCREQUESTURI", "https://dev.azure.com/org/project/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken",
                "SYSTEM_ACCESSTOKEN", "system-access-token-secret", "KEYLESS_AZURE_SERVICE_CONNECTION_ID", "conn");

        assertThat(TokenSources.detect(env(azure))).isInstanceOf(AzurePipelinesTokenSource.class);
        assertThat(candidate(TokenSources.report(env(Map.of("TF_BUILD", "True"))), "azure-pipelines").reason())
                .isEqualTo("SYSTEM_OIDCREQUESTURI is not set");
        assertThat(candidate(TokenSources.report(env(Map.of())), "azure-pipelines").reason()).isEqualTo("TF_BUILD is not True");

        Map<String, String> noAccessToken = new HashMap<>(azure);
        noAccessToken.remove("SYSTEM_ACCESSTOKEN");
        DetectionReport report = TokenSources.report(env(noAccessToken));
        assertThat(candidate(report, "azure-pipelines").outcome()).isEqualTo(Outcome.BROKEN);
        assertThat(candidate(report, "azure-pipelines").diagnosis().orElseThrow().render()).contains("SYSTEM_ACCESSTOKEN");
    }

    @Test
    void terraformIsFoundWhenItsTokenIsSet() {
        TokenSource source = TokenSources.detect(env(Map.of("TFC_WORKLOAD_IDENTITY_TOKEN", TOKEN)));

        assertThat(source.name()).isEqualTo("terraform");
        assertThat(source.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);
    }

    @Test
    void tokenFilesAreFoundWhenTheyExistAndBrokenWhenTheVariablePointsNowhere() throws IOException {
        Path file = tokenFile();
        TokenSource aws = TokenSources.detect(env(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", file.toString())));
        assertThat(aws).isInstanceOf(FileTokenSource.class);
        assertThat(aws.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);
        Throwable wrongAudience = catchThrowable(() -> aws.token(TokenRequest.forAudience("other")));
        assertThat(wrongAudience.getMessage()).contains("eks.amazonaws.com/audience");

        TokenSource azure = TokenSources.detect(env(Map.of("AZURE_FEDERATED_TOKEN_FILE", file.toString())));
        assertThat(azure.name()).isEqualTo("file:" + file);

        Path missing = dir.resolve("missing");
        ConfigurationException e = detectFails(env(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", missing.toString(),
                "AZURE_FEDERATED_TOKEN_FILE", file.toString())));
        assertThat(e.diagnosis().code()).isEqualTo("file.missing");
        assertThat(e.getMessage()).contains(missing.toString()).contains("AWS_WEB_IDENTITY_TOKEN_FILE");

        assertThat(detectFails(env(Map.of("AZURE_FEDERATED_TOKEN_FILE", dir.toString()))).diagnosis().code())
                .isEqualTo("file.is-directory");
    }

    @Test
    void googleMetadataIsFoundWhenTheEnvironmentAsksForIt() {
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_GOOGLE_METADATA", "true"))))
                .isInstanceOf(GoogleMetadataTokenSource.class);
        assertThat(candidate(TokenSources.report(env(Map.of("GCE_METADATA_HOST", "127.0.0.1:8080"))), "google-metadata")
                .outcome()).isEqualTo(Outcome.FOUND);
        assertThat(candidate(TokenSources.report(env(Map.of("GCE_METADATA_HOST", "evil.example.com"))), "google-metadata")
                .outcome()).isEqualTo(Outcome.BROKEN);
    }

    // ---- order ------------------------------------------------------------------------------------------

    @Test
    void gitHubWinsOverATokenFileAndTheReportStillShowsTheFile() throws IOException {
        Path file = tokenFile();
        Environment env = env(GITHUB, Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", file.toString()));

        assertThat(TokenSources.detect(env)).isInstanceOf(GitHubActionsTokenSource.class);
        DetectionReport report = TokenSources.report(env);
        assertThat(report.selected().orElseThrow().name()).isEqualTo("github-actions");
        assertThat(candidate(report, "aws-web-identity-token-file").outcome()).isEqualTo(Outcome.FOUND);
        assertThat(report.render()).contains("=> github-actions: FOUND").contains("   aws-web-identity-token-file: FOUND");
    }

    @Test
    void aBrokenCandidateBeforeAFoundOneStopsDetection() throws IOException {
        Path file = tokenFile();
        Environment env = env(Map.of("GITLAB_CI", "true", "AWS_WEB_IDENTITY_TOKEN_FILE", file.toString()));

        ConfigurationException e = detectFails(env);

        assertThat(e.diagnosis().code()).isEqualTo("gitlab.missing-id-token");
        DetectionReport report = TokenSources.report(env);
        assertThat(report.candidates().stream().collect(Collectors.toMap(Candidate::name, Candidate::outcome)))
                .containsEntry("gitlab", Outcome.BROKEN)
                .containsEntry("aws-web-identity-token-file", Outcome.FOUND)
                .containsEntry("github-actions", Outcome.NOT_HERE);
        assertThat(catchThrowable(report::source)).isSameAs(candidate(report, "gitlab").failure().orElseThrow());
        assertThat(report.render()).contains("=> gitlab: BROKEN").contains("id_tokens:");
    }

    @Test
    void aFoundCandidateBeforeABrokenOneWins() {
        Environment env = env(GITHUB, Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", dir.resolve("missing").toString()));

        assertThat(TokenSources.detect(env)).isInstanceOf(GitHubActionsTokenSource.class);
        assertThat(candidate(TokenSources.report(env), "aws-web-identity-token-file").outcome()).isEqualTo(Outcome.BROKEN);
    }

    @Test
    void eachCiBranchComesInTheDocumentedOrder() throws IOException {
        Path file = tokenFile();
        Map<String, String> everything = new HashMap<>(GITHUB);
        everything.putAll(Map.of("GITLAB_CI", "true", "GITLAB_OIDC_TOKEN", TOKEN, "CIRCLECI", "true",
                "CIRCLE_OIDC_TOKEN", TOKEN, "BUILDKITE", "true", "BITBUCKET_BUILD_NUMBER", "1",
                "BITBUCKET_STEP_OIDC_TOKEN", TOKEN, "TFC_WORKLOAD_IDENTITY_TOKEN", TOKEN,
                "AWS_WEB_IDENTITY_TOKEN_FILE", file.toString(), "AZURE_FEDERATED_TOKEN_FILE", file.toString()));
        everything.put("KEYLESS_GOOGLE_METADATA", "true");

        DetectionReport report = TokenSources.report(env(everything));

        assertThat(report.candidates()).extracting(Candidate::name).containsExactlyElementsOf(ORDER);
        assertThat(report.candidates().subList(1, ORDER.size())).extracting(Candidate::outcome)
                .containsExactly(Outcome.FOUND, Outcome.FOUND, Outcome.FOUND, Outcome.FOUND, Outcome.FOUND,
                        Outcome.NOT_HERE, Outcome.FOUND, Outcome.FOUND, Outcome.FOUND, Outcome.FOUND);
        // Remove the winner one by one: the next one in the documented order wins.
        List<String> flags = List.of("GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "BUILDKITE", "BITBUCKET_BUILD_NUMBER",
                "TFC_WORKLOAD_IDENTITY_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AZURE_FEDERATED_TOKEN_FILE");
        List<String> winners = List.of("github-actions", "gitlab:GITLAB_OIDC_TOKEN", "circleci", "buildkite", "bitbucket",
                "terraform", "file:" + file, "file:" + file);
        Map<String, String> remaining = new HashMap<>(everything);
        for (int i = 0; i < flags.size(); i++) {
            TokenSource winner = TokenSources.detect(env(remaining));
            if (i == 0) {
                assertThat(winner).isInstanceOf(GitHubActionsTokenSource.class);
            } else {
                assertThat(winner.name()).as("after removing %s", flags.subList(0, i)).isEqualTo(winners.get(i));
            }
            remaining.remove(flags.get(i));
        }
        assertThat(TokenSources.detect(env(remaining))).isInstanceOf(GoogleMetadataTokenSource.class);
    }

    // ---- overrides --------------------------------------------------------------------------------------

    @Test
    void keylessTokenFileWinsOverEverything() throws IOException {
        Path file = tokenFile();
        Environment env = env(GITHUB, Map.of("KEYLESS_TOKEN_FILE", file.toString()));

        TokenSource source = TokenSources.detect(env);

        assertThat(source).isInstanceOf(FileTokenSource.class);
        assertThat(source.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);
        assertThat(TokenSources.report(env).selected().orElseThrow().reason()).isEqualTo("KEYLESS_TOKEN_FILE=" + file);

        ConfigurationException e = detectFails(env(GITHUB, Map.of("KEYLESS_TOKEN_FILE", dir.resolve("nope").toString())));
        assertThat(e.diagnosis().code()).isEqualTo("file.missing");
        assertThat(e.getMessage()).contains("KEYLESS_TOKEN_FILE");
    }

    @Test
    void keylessTokenSourceForcesOneSourceWithoutItsCiFlag() {
        Environment env = env(GITHUB, Map.of("KEYLESS_TOKEN_SOURCE", "GitLab", "GITLAB_OIDC_TOKEN", TOKEN));

        assertThat(TokenSources.detect(env).name()).isEqualTo("gitlab:GITLAB_OIDC_TOKEN");
        assertThat(TokenSources.report(env).selected().orElseThrow().reason()).isEqualTo("KEYLESS_TOKEN_SOURCE=gitlab");
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_TOKEN_SOURCE", "buildkite"))).name()).isEqualTo("buildkite");
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_TOKEN_SOURCE", "google-metadata"))))
                .isInstanceOf(GoogleMetadataTokenSource.class);
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_TOKEN_SOURCE", "terraform", "TFC_WORKLOAD_IDENTITY_TOKEN", TOKEN))).name())
                .isEqualTo("terraform");
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_TOKEN_SOURCE", "circleci", "CIRCLE_OIDC_TOKEN_V2", TOKEN))).name())
                .isEqualTo("circleci");
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_TOKEN_SOURCE", "bitbucket", "BITBUCKET_STEP_OIDC_TOKEN", TOKEN))).name())
                .isEqualTo("bitbucket");
    }

    @Test
    void aForcedSourceThatCannotWorkIsBroken() {
        assertThat(detectFails(env(Map.of("KEYLESS_TOKEN_SOURCE", "github-actions"))).getMessage()).contains("id-token: write");
        assertThat(detectFails(env(Map.of("KEYLESS_TOKEN_SOURCE", "terraform"))).diagnosis().code())
                .isEqualTo("env.variable-missing");
        assertThat(detectFails(env(Map.of("KEYLESS_TOKEN_SOURCE", "gitlab"))).diagnosis().code())
                .isEqualTo("gitlab.missing-id-token");
        assertThat(detectFails(env(Map.of("KEYLESS_TOKEN_SOURCE", "azure-pipelines"))).getMessage())
                .contains("SYSTEM_OIDCREQUESTURI");
        // Forcing a source also stops a later candidate from being used.
        assertThat(detectFails(env(GITHUB, Map.of("KEYLESS_TOKEN_SOURCE", "circleci"))).diagnosis().code())
                .isEqualTo("circleci.missing-oidc-token");
    }

    @Test
    void keylessTokenSourceFileUsesTheFirstFileVariable() throws IOException {
        Path file = tokenFile();

        assertThat(TokenSources.detect(env(GITHUB, Map.of("KEYLESS_TOKEN_SOURCE", "file",
                "AZURE_FEDERATED_TOKEN_FILE", file.toString()))).name()).isEqualTo("file:" + file);
        assertThat(TokenSources.detect(env(Map.of("KEYLESS_TOKEN_SOURCE", "file", "KEYLESS_TOKEN_FILE", file.toString(),
                "AWS_WEB_IDENTITY_TOKEN_FILE", dir.resolve("other").toString()))).name()).isEqualTo("file:" + file);
        assertThat(detectFails(env(Map.of("KEYLESS_TOKEN_SOURCE", "file"))).diagnosis().code())
                .isEqualTo("detect.file-path-missing");
    }

    @Test
    void anUnknownOrContradictoryOverrideIsBroken() throws IOException {
        ConfigurationException unknown = detectFails(env(GITHUB, Map.of("KEYLESS_TOKEN_SOURCE", "jenkins")));
        assertThat(unknown.diagnosis().code()).isEqualTo("detect.unknown-source");
        assertThat(unknown.getMessage()).contains("'jenkins'").contains("github-actions, gitlab, circleci");

        ConfigurationException conflict = detectFails(env(Map.of("KEYLESS_TOKEN_SOURCE", "gitlab",
                "KEYLESS_TOKEN_FILE", tokenFile().toString(), "GITLAB_OIDC_TOKEN", TOKEN)));
        assertThat(conflict.diagnosis().code()).isEqualTo("detect.conflicting-override");
    }

    @Test
    void detectionNeitherReadsTokensNorShowsThem() {
        String notAJwt = "secret-but-not-a-jwt-value";
        Environment env = env(Map.of("GITLAB_CI", "true", "GITLAB_OIDC_TOKEN", notAJwt));

        TokenSource source = TokenSources.detect(env);
        DetectionReport report = TokenSources.report(env);

        assertThat(report.render()).doesNotContain(notAJwt);
        Throwable e = catchThrowable(() -> source.token(TokenRequest.sourceDefault()));
        assertThat(code(e)).isEqualTo("token.not-a-jwt");
        assertNoSecret(e, notAJwt);
        assertThat(TokenSources.report(env(GITHUB)).render()).doesNotContain("request-token-secret");
    }
}
