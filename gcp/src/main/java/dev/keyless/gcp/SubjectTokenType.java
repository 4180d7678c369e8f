package dev.keyless.gcp;

/**
 * The {@code subject_token_type} sent to Google's STS for an OIDC token.
 *
 * <p>Both are accepted for OIDC providers; by default Keyless sends {@link #JWT}, as gcloud's generated
 * configurations do.
 */
public enum SubjectTokenType {
    /** {@code urn:ietf:params:oauth:token-type:jwt}. */
    JWT("urn:ietf:params:oauth:token-type:jwt"),
    /** {@code urn:ietf:params:oauth:token-type:id_token}. */
    ID_TOKEN("urn:ietf:params:oauth:token-type:id_token");

    private final String urn;

    SubjectTokenType(String urn) {
        this.urn = urn;
    }

    /** The URN sent on the wire. */
    public String urn() {
        return urn;
    }
}
