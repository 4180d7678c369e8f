package dev.keyless.core.source;

import static dev.keyless.core.source.SourceAssertions.assertNoSecret;
import static dev.keyless.core.source.SourceAssertions.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.core.IdentityToken;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import org.junit.jupiter.api.Test;

class StaticTokenSourceTest {
    @Test
    void returnsTheTokenItWasGiven() {
        String jwt = TestTokens.jwt("sts.amazonaws.com");
        StaticTokenSource source = StaticTokenSource.of(jwt);

        assertThat(source.token(TokenRequest.sourceDefault()).value()).isEqualTo(jwt);
        assertThat(source.token(TokenRequest.forAudience("sts.amazonaws.com")).value()).isEqualTo(jwt);
        assertThat(StaticTokenSource.of(IdentityToken.parse(jwt)).token(TokenRequest.sourceDefault()).value()).isEqualTo(jwt);
        assertThat(source.name()).isEqualTo("static");
        assertThat(source.supportsRequestedAudience()).isFalse();
        assertThat(source.toString()).doesNotContain(jwt).contains("sts.amazonaws.com");
    }

    @Test
    void aNonJwtFailsWhenBuiltWithoutEchoingIt() {
        Throwable e = catchThrowable(() -> StaticTokenSource.of("definitely-not-a-jwt"));

        assertThat(e).isInstanceOf(TokenException.class);
        assertThat(code(e)).isEqualTo("token.not-a-jwt");
        assertNoSecret(e, "definitely-not-a-jwt");
        assertThat(catchThrowable(() -> StaticTokenSource.builder().build()).getMessage()).contains("'token'");
    }

    @Test
    void anotherAudienceIsRefused() {
        StaticTokenSource source = StaticTokenSource.builder().token(TestTokens.jwt("a")).name("fixture").build();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.forAudience("b")));

        assertThat(code(e)).isEqualTo("token.audience-fixed");
        assertThat(e.getMessage()).contains("fixture").contains("[a]").contains("'b'");
    }
}
