package dev.keyless.azure.internal;

import dev.keyless.azure.EntraError;
import dev.keyless.azure.EntraExchangeException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import java.net.URI;
import javax.net.ssl.SSLException;

/** Turns what azure-identity throws into a Keyless exception with a diagnosis. */
public final class ExchangeFailures {
    private ExchangeFailures() {
    }

    /**
     * @param failure   what azure-identity threw
     * @param presented the assertion sent, or null when none was minted
     */
    public static RuntimeException translate(Throwable failure, IdentityToken presented, String tenantId, String clientId,
            URI authorityHost) {
        // The token source failed inside azure-identity's supplier call: its own diagnosis says it best.
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KeylessException) {
                return (KeylessException) t;
            }
        }
        var entra = EntraError.from(failure);
        if (entra.isPresent()) {
            EntraError e = entra.get();
            return new EntraExchangeException(e, e.diagnosis(presented, tenantId, clientId), e.retryable(), failure);
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return new EntraExchangeException(null, Diagnosis.builder("The TLS connection to Entra ID at " + authorityHost
                                + " failed.")
                        .code("azure.tls-failed")
                        .likelyCause("The authority host's certificate is not trusted by this JVM (a TLS-inspecting proxy, a "
                                + "private cloud's CA, a test emulator) or the host name does not match it.")
                        .evidence("authority host", authorityHost)
                        .evidence("tenant", tenantId)
                        .evidence("TLS error", t.getClass().getSimpleName() + ": " + t.getMessage())
                        .fix("Add the CA to the JVM's trust store (javax.net.ssl.trustStore), or give the credential an "
                                + "httpClient(...) whose SSL context trusts it.")
                        .build(), false, failure);
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new EntraExchangeException(null, Diagnosis.builder("The token exchange with Entra ID at " + authorityHost
                        + " failed before Entra answered.")
                .code("azure.exchange-unreachable")
                .likelyCause("A network problem (DNS, proxy, firewall, timeout) between this machine and the authority host.")
                .evidence("authority host", authorityHost)
                .evidence("tenant", tenantId)
                .evidence("client id", clientId)
                .evidence("error", root.getClass().getName() + (root.getMessage() == null ? "" : ": " + root.getMessage()))
                .fix("Check that " + authorityHost + " is reachable from here (proxy settings: HTTPS_PROXY / the httpClient "
                        + "option); Keyless retries with backoff.")
                .build(), true, failure);
    }
}
