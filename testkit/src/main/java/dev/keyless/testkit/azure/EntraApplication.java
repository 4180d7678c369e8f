package dev.keyless.testkit.azure;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An application (client id) registered in a tenant of a {@link LocalEntra}, with its federated identity
 * credentials. Thread-safe: credentials may be added or removed while the emulator serves requests.
 *
 * <p>As in Entra, an application holds at most 20 federated identity credentials with distinct names.
 */
public final class EntraApplication {
    /** Entra's limit of federated identity credentials per application. */
    public static final int MAX_FEDERATED_CREDENTIALS = 20;

    private final String tenantId;
    private final String clientId;
    private final String objectId;
    private final String displayName;
    private final List<FederatedIdentityCredential> credentials = new ArrayList<>();

    EntraApplication(String tenantId, String clientId, String objectId, String displayName) {
        this.tenantId = tenantId;
        this.clientId = clientId;
        this.objectId = objectId;
        this.displayName = displayName;
    }

    public String tenantId() {
        return tenantId;
    }

    /** The application (client) id: {@code client_id} of token requests, {@code appid} of issued tokens. */
    public String clientId() {
        return clientId;
    }

    /** The service principal's object id: {@code oid} and {@code sub} of issued tokens. */
    public String objectId() {
        return objectId;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * Adds a credential.
     *
     * @throws IllegalArgumentException when the name is taken or the application already has 20 credentials
     */
    public synchronized EntraApplication addFederatedCredential(FederatedIdentityCredential credential) {
        Objects.requireNonNull(credential, "credential");
        if (credentials.stream().anyMatch(c -> c.name().equals(credential.name()))) {
            throw new IllegalArgumentException("Application " + clientId + " already has a federated identity credential named '"
                    + credential.name() + "'");
        }
        if (credentials.size() >= MAX_FEDERATED_CREDENTIALS) {
            throw new IllegalArgumentException("Application " + clientId + " already has " + MAX_FEDERATED_CREDENTIALS
                    + " federated identity credentials, Entra's limit");
        }
        credentials.add(credential);
        return this;
    }

    /** Adds an exact-match credential with the default audience. */
    public EntraApplication addFederatedCredential(String name, String issuer, String subject) {
        return addFederatedCredential(FederatedIdentityCredential.of(name, issuer, subject));
    }

    /** Removes a credential by name; returns whether there was one. */
    public synchronized boolean removeFederatedCredential(String name) {
        return credentials.removeIf(c -> c.name().equals(name));
    }

    /** A snapshot of the credentials, in the order they were added. */
    public synchronized List<FederatedIdentityCredential> federatedCredentials() {
        return List.copyOf(credentials);
    }

    /** A credential by name. */
    public synchronized Optional<FederatedIdentityCredential> federatedCredential(String name) {
        return credentials.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return "EntraApplication{tenant=" + tenantId + ", clientId=" + clientId + ", credentials=" + federatedCredentials().size() + "}";
    }
}
