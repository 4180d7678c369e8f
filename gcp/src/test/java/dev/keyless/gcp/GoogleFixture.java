package dev.keyless.gcp;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.testkit.GitHubTokenBuilder;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.google.LocalGoogle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** A LocalIssuer and a LocalGoogle for one test class, and the google-auth transport that trusts the emulator. */
final class GoogleFixture implements AutoCloseable {
    static final String PROJECT_NUMBER = "314159265358";

    final LocalIssuer issuer;
    final LocalGoogle google;
    final HttpTransportFactory transport;
    final HttpClient http;

    GoogleFixture(LocalIssuer issuer, LocalGoogle google) {
        this.issuer = issuer;
        this.google = google;
        try {
            NetHttpTransport net = new NetHttpTransport.Builder().trustCertificates(google.trustStore()).build();
            this.transport = () -> net;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.http = HttpClient.newBuilder().sslContext(google.sslContext()).build();
    }

    static GoogleFixture start() {
        return new GoogleFixture(LocalIssuer.start(), LocalGoogle.start());
    }

    /** Credentials against this emulator, for a provider and a source. */
    WorkloadIdentityCredentials.Builder credentials(String provider, TokenSource source) {
        return WorkloadIdentityCredentials.builder()
                .provider(provider)
                .tokenSource(source)
                .tokenUrl(google.stsUrl())
                .iamCredentialsUrl(google.iamCredentialsUrl())
                .httpTransportFactory(transport);
    }

    /** A source that mints a GitHub-shaped token for the requested audience on every call. */
    MintingSource github(UnaryOperator<GitHubTokenBuilder> shape) {
        return new MintingSource(issuer, shape);
    }

    int status(String url, String bearer) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String body(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        google.close();
        issuer.close();
    }

    /** Mints on every call, records the audiences asked for and the tokens' fingerprints. */
    static final class MintingSource implements TokenSource {
        private final LocalIssuer issuer;
        private final UnaryOperator<GitHubTokenBuilder> shape;
        final AtomicInteger calls = new AtomicInteger();
        final List<String> audiences = new CopyOnWriteArrayList<>();
        final List<String> fingerprints = new CopyOnWriteArrayList<>();
        final List<String> values = new CopyOnWriteArrayList<>();

        MintingSource(LocalIssuer issuer, UnaryOperator<GitHubTokenBuilder> shape) {
            this.issuer = issuer;
            this.shape = shape;
        }

        @Override
        public IdentityToken token(TokenRequest request) {
            calls.incrementAndGet();
            GitHubTokenBuilder b = issuer.github().repository("acme/app").branch("main");
            request.audience().ifPresent(a -> {
                audiences.add(a);
                b.audience(a);
            });
            IdentityToken t = shape.apply(b).mint();
            fingerprints.add(t.fingerprint());
            values.add(t.value());
            return t;
        }

        @Override
        public String name() {
            return "test-github";
        }
    }
}
