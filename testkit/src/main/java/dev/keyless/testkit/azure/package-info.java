/**
 * A local Microsoft Entra ID for tests: the OAuth 2.0 token endpoint with client assertions (workload identity
 * federation) over HTTPS, federated identity credential matching with Entra's AADSTS errors, and the trust material
 * that lets the JVM and the Azure SDK connect to it. Start with {@link dev.keyless.testkit.azure.LocalEntra}.
 */
package dev.keyless.testkit.azure;
