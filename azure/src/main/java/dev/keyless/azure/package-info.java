/**
 * Keyless for Azure: {@link dev.keyless.azure.FederatedTokenCredential}, an azure-core {@code TokenCredential} from
 * any OIDC token source through Entra ID workload identity federation; {@link dev.keyless.azure.AzureCloud}, the
 * clouds and their assertion audiences; {@link dev.keyless.azure.FederatedCredentialSpec}, the federated identity
 * credentials to register; and {@link dev.keyless.azure.EntraError}, the diagnosis of Entra's AADSTS errors.
 */
package dev.keyless.azure;
