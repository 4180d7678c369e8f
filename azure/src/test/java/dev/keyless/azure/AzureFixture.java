package dev.keyless.azure;

import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.testkit.GitHubTokenBuilder;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.azure.LocalEntra;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** Shared pieces of the end-to-end tests: the emulator's HTTP client, a counting GitHub-shaped token source. */
final class AzureFixture {
    static final String STORAGE = "https://storage.azure.com/.default";
    static final String VAULT = "https://vault.azure.net/.default";

    private AzureFixture() {
    }

    /** azure-core's JDK client trusting the testkit's certificate: nothing JVM-wide is changed. */
    static HttpClient httpClient(LocalEntra entra) {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(entra.tls().sslContext())).build();
    }

    static TokenRequestContext scopes(String... scopes) {
        return new TokenRequestContext().addScopes(scopes);
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }

    /**
     * Mints a GitHub Actions-shaped token from a local issuer on every call, for the requested audience, and remembers
     * what it minted (every value is registered with the leak guard, so a test fails if one reaches a log line).
     */
    static final class GitHubSource implements TokenSource {
        private final LocalIssuer issuer;
        private final UnaryOperator<GitHubTokenBuilder> shape;
        final List<IdentityToken> minted = new CopyOnWriteArrayList<>();
        final List<TokenRequest> requests = new CopyOnWriteArrayList<>();

        GitHubSource(LocalIssuer issuer, UnaryOperator<GitHubTokenBuilder> shape) {
            this.issuer = issuer;
            this.shape = shape;
        }

        @Override
        public IdentityToken token(TokenRequest request) {
            requests.add(request);
            GitHubTokenBuilder b = shape.apply(issuer.github());
            request.audience().ifPresent(b::audience);
            IdentityToken token = b.mint();
            LeakGuard.secret(token.value());
            minted.add(token);
            return token;
        }

        @Override
        public String name() {
            return "test-github";
        }
    }
}
