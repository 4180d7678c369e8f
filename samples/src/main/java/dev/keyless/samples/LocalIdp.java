package dev.keyless.samples;

import com.sun.net.httpserver.HttpServer;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalIssuer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A corporate identity provider's token endpoint, on loopback, for the local run of {@link CorporateIdpToAws}: the
 * OAuth 2.0 client credentials grant with {@code client_secret_basic}, answering with a JWT access token minted by the
 * testkit's issuer ({@code sub} = the client id, {@code aud} = the requested audience), as Okta, Entra ID or Keycloak
 * do for a service client.
 */
final class LocalIdp implements AutoCloseable {
    private final HttpServer server;

    private LocalIdp(HttpServer server) {
        this.server = server;
    }

    /** Starts the endpoint for one client. */
    static LocalIdp start(LocalIssuer issuer, String clientId, String clientSecret) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
            server.createContext("/oauth2/token", ex -> {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Map<String, String> form = new HashMap<>();
                for (String pair : body.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
                String answer;
                int status;
                if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    status = 401;
                    answer = Json.write(Map.of("error", "invalid_client"));
                } else if (!"client_credentials".equals(form.get("grant_type"))) {
                    status = 400;
                    answer = Json.write(Map.of("error", "unsupported_grant_type"));
                } else {
                    String jwt = issuer.token().subject(clientId).audience(form.getOrDefault("audience", "api://default"))
                            .claim("azp", clientId).claim("scp", "analytics.read").lifetime(Duration.ofHours(1)).mintValue();
                    status = 200;
                    answer = Json.write(Map.of("access_token", jwt, "token_type", "Bearer", "expires_in", 3600));
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(status, bytes.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
            });
            server.start();
            return new LocalIdp(server);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot start the local IdP", e);
        }
    }

    String tokenEndpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
