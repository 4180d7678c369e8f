/**
 * Keyless for Google Cloud: {@code GoogleCredentials} from any OIDC token source through workload identity
 * federation, service account impersonation, credential configuration files, AWS to Google, and Storage Transfer
 * Service federation.
 */
module dev.keyless.gcp {
    requires transitive dev.keyless.core;
    requires transitive com.google.auth.oauth2;
    requires transitive com.google.auth;
    requires com.google.api.client;
    requires org.slf4j;

    exports dev.keyless.gcp;
}
