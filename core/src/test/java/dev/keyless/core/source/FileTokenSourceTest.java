package dev.keyless.core.source;

import static dev.keyless.core.source.SourceAssertions.assertNoSecret;
import static dev.keyless.core.source.SourceAssertions.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTokenSourceTest {
    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void readsTheTokenAndTrimsWhiteSpace() throws IOException {
        String jwt = TestTokens.jwt("https://kubernetes.default.svc", "system:serviceaccount:ns:app", "sts.amazonaws.com", EXP);
        Path file = write("token", "\n  " + jwt + "  \n\n");

        IdentityToken token = FileTokenSource.of(file).token(TokenRequest.sourceDefault());

        assertThat(token.value()).isEqualTo(jwt);
        assertThat(token.subject()).isEqualTo("system:serviceaccount:ns:app");
        assertThat(token.audience()).containsExactly("sts.amazonaws.com");
    }

    @Test
    void rereadsTheFileOnEveryCallSoARotatedTokenIsSeen() throws IOException {
        String first = TestTokens.jwt("https://issuer.example", "first", "aud", EXP);
        String second = TestTokens.jwt("https://issuer.example", "second", "aud", EXP);
        Path file = write("token", first);
        FileTokenSource source = FileTokenSource.of(file.toString());

        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("first");
        Files.writeString(file, second); // what the kubelet does on rotation, if not atomically
        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("second");
        assertThat(source.token(TokenRequest.sourceDefault()).value()).isEqualTo(second);
    }

    @Test
    void aMissingFileIsAConfigurationErrorThatNamesThePathTheVariableAndTheMount() {
        Path file = dir.resolve("tokens").resolve("token");
        FileTokenSource source = FileTokenSource.builder().path(file).configuredBy("AWS_WEB_IDENTITY_TOKEN_FILE").build();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(code(e)).isEqualTo("file.missing");
        assertThat(((KeylessException) e).retryable()).isFalse();
        assertThat(e.getMessage())
                .contains(file.toString())
                .contains("AWS_WEB_IDENTITY_TOKEN_FILE")
                .contains("projected")
                .contains("not mounted")
                .contains("rotat")
                .contains("parent directory exists: no");
        assertThat(source.locationProblem()).isPresent();
    }

    @Test
    void aDirectoryIsAConfigurationErrorPointingInsideIt() {
        Throwable e = catchThrowable(() -> FileTokenSource.of(dir).token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(code(e)).isEqualTo("file.is-directory");
        assertThat(e.getMessage()).contains(dir.toString() + " is a directory").contains(dir.resolve("token").toString());
        assertThat(FileTokenSource.of(dir).locationProblem()).isPresent();
    }

    @Test
    void anEmptyOrBlankFileIsANonRetryableTokenError() throws IOException {
        for (String content : List.of("", "  \n\t\n")) {
            Path file = write("empty", content);
            Throwable e = catchThrowable(() -> FileTokenSource.of(file).token(TokenRequest.sourceDefault()));

            assertThat(e).isInstanceOf(TokenException.class);
            assertThat(code(e)).isEqualTo("file.empty");
            assertThat(((KeylessException) e).retryable()).isFalse();
            assertThat(e.getMessage()).contains(file + " is empty");
        }
    }

    @Test
    void anUnreadableFileSaysPermissionDeniedAndHowToFixIt() {
        Path file = dir.resolve("token");
        FileTokenSource source = FileTokenSource.of(file);

        KeylessException e = source.translate(new AccessDeniedException(file.toString()));

        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(e.diagnosis().code()).isEqualTo("file.unreadable");
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains(file + " cannot be read: permission denied").contains("fsGroup");
    }

    @Test
    void nonJwtContentFailsWithoutEchoingIt() throws IOException {
        String content = "not-a-token-but-a-secret-looking-value";
        Path file = write("token", content);

        Throwable e = catchThrowable(() -> FileTokenSource.of(file).token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(TokenException.class);
        assertThat(code(e)).isEqualTo("token.not-a-jwt");
        assertThat(e.getMessage()).contains("file " + file);
        assertNoSecret(e, content);
    }

    @Test
    void aFileOverTheLimitIsRefusedNamingItsSizeAndTheLimit() throws IOException {
        Path file = write("big", "x".repeat(100));

        Throwable e = catchThrowable(() -> FileTokenSource.builder().path(file).maxSize(50).build()
                .token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(TokenException.class);
        assertThat(code(e)).isEqualTo("file.too-large");
        assertThat(e.getMessage()).contains("is 100 bytes").contains("limit of 50 bytes").contains("maxSize");
        assertNoSecret(e, "xxxxxxxxxx");
    }

    @Test
    void theDefaultLimitIs64KiBAndATokenPaddedToExactlyTheLimitIsAccepted() throws IOException {
        String jwt = TestTokens.jwt("aud");
        Path atLimit = write("at-limit", jwt + " ".repeat(FileTokenSource.DEFAULT_MAX_SIZE - jwt.length()));
        Path overLimit = write("over-limit", jwt + " ".repeat(FileTokenSource.DEFAULT_MAX_SIZE - jwt.length() + 1));

        assertThat(FileTokenSource.of(atLimit).token(TokenRequest.sourceDefault()).value()).isEqualTo(jwt);
        Throwable e = catchThrowable(() -> FileTokenSource.of(overLimit).token(TokenRequest.sourceDefault()));
        assertThat(e.getMessage()).contains("is 65537 bytes").contains("limit of 65536 bytes");
    }

    @Test
    void aFileOfUnknownSizeIsReadOnlyUpToTheLimit() {
        // /dev/zero never ends: reading it all would never return.
        Throwable e = catchThrowable(() -> FileTokenSource.of("/dev/zero").token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("file.too-large");
        assertThat(e.getMessage()).contains("more than 65536 bytes");
    }

    @Test
    void theAudienceIsFixedAndAnotherRequestedAudienceFailsSayingWhereItIsSet() throws IOException {
        Path file = write("token", TestTokens.jwt("https://kubernetes.default.svc", "sa", "sts.amazonaws.com", EXP));
        FileTokenSource source = FileTokenSource.of(file);

        assertThat(source.supportsRequestedAudience()).isFalse();
        assertThat(source.token(TokenRequest.forAudience("sts.amazonaws.com")).audience()).containsExactly("sts.amazonaws.com");
        Throwable e = catchThrowable(() -> source.token(TokenRequest.forAudience("api://AzureADTokenExchange")));

        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(code(e)).isEqualTo("token.audience-fixed");
        assertThat(((ConfigurationException) e).diagnosis().evidence())
                .containsEntry("token aud", "[sts.amazonaws.com]")
                .containsEntry("requested audience", "api://AzureADTokenExchange");
        assertThat(e.getMessage()).contains("serviceAccountToken.audience");
    }

    @Test
    void aTokenWithSeveralAudiencesSatisfiesAnyOfThem() throws IOException {
        Path file = write("token", TestTokens.jwt(Map.of("iss", "https://i", "sub", "s", "aud", List.of("a", "b"))));

        assertThat(FileTokenSource.of(file).token(TokenRequest.forAudience("b")).audience()).containsExactly("a", "b");
    }

    @Test
    void theAudienceHintCanBeReplaced() throws IOException {
        Path file = write("token", TestTokens.jwt("a"));
        FileTokenSource source = FileTokenSource.builder().path(file).audienceHint("Set it in the sidecar's config.").build();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.forAudience("b")));

        assertThat(e.getMessage()).contains("Set it in the sidecar's config.").doesNotContain("serviceAccountToken");
    }

    @Test
    void nameAndToStringShowThePathButNeverTheToken() throws IOException {
        String jwt = TestTokens.jwt("aud");
        Path file = write("token", jwt);
        FileTokenSource source = FileTokenSource.of(file);
        source.token(TokenRequest.sourceDefault());

        assertThat(source.name()).isEqualTo("file:" + file);
        assertThat(source.toString()).contains(file.toString()).doesNotContain(jwt);
        assertThat(source.locationProblem()).isEmpty();
        assertThat(source.toBuilder().maxSize(10).build().maxSize()).isEqualTo(10);
        assertThat(source.maxSize()).isEqualTo(FileTokenSource.DEFAULT_MAX_SIZE);
    }

    @Test
    void theBuilderNamesTheBadOption() {
        assertThat(catchThrowable(() -> FileTokenSource.builder().build()).getMessage()).contains("'path'");
        assertThat(catchThrowable(() -> FileTokenSource.builder().maxSize(0)).getMessage()).contains("'maxSize'");
        assertThat(catchThrowable(() -> FileTokenSource.builder().path(" ")).getMessage()).contains("'path'");
        assertThat(catchThrowable(() -> FileTokenSource.builder().maxSize(FileTokenSource.MAX_SIZE_LIMIT + 1)))
                .isInstanceOf(ConfigurationException.class);
    }
}
