/**
 * Keyless for Azure: an azure-core {@code TokenCredential} that exchanges any OIDC identity token at Entra ID
 * (workload identity federation), federated identity credential specs, and diagnoses of Entra's AADSTS errors.
 */
module dev.keyless.azure {
    requires transitive dev.keyless.core;
    requires transitive com.azure.core;
    requires transitive com.azure.identity;
    requires com.microsoft.aad.msal4j;
    requires org.slf4j;

    exports dev.keyless.azure;
}
