package dev.keyless.cli;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import dev.keyless.azure.FederatedCredentialSpec;
import dev.keyless.azure.FederatedTokenCredential;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyless doctor azure}: the token for the token-exchange audience, the app's federated identity credential
 * (issuer, subject and audience compared exactly, as Entra does) when given, and the exchange at Entra ID, each with
 * a verdict and the fix.
 *
 * <p>By default: tenant {@code AZURE_TENANT_ID}, client {@code AZURE_CLIENT_ID}, authority {@code AZURE_AUTHORITY_HOST}
 * else the public cloud, audience {@code api://AzureADTokenExchange}, scope {@code https://management.azure.com/.default}.
 */
@Command(name = "azure", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Diagnose keyless Azure access: token, the app's federated identity credential, and the Entra ID "
                + "exchange.",
                "Example: keyless doctor azure --tenant-id TENANT --client-id APP --federated-credential fic.json",
                "  (fic.json: `az ad app federated-credential show --id APP --federated-credential-id NAME`)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed (warnings and skipped checks allowed)",
                "1:a check failed: its diagnosis says what to fix", "2:bad usage", "3:an unexpected error"})
final class DoctorAzureCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--tenant-id", description = "The Entra tenant (default: $AZURE_TENANT_ID).")
    String tenantId;

    @Option(names = "--client-id", description = "The application (client) id (default: $AZURE_CLIENT_ID).")
    String clientId;

    @Option(names = "--authority-host", paramLabel = "URL", description = "The Entra authority (default: $AZURE_AUTHORITY_HOST, else the public cloud).")
    String authorityHost;

    @Option(names = "--audience", description = "The token audience (default: api://AzureADTokenExchange).")
    String audience;

    @Option(names = "--federated-credential", paramLabel = "FILE", description = "The app's federated identity credential JSON, to compare with the token.")
    Path federatedCredential;

    @Option(names = "--scope", description = "The scope to request (default: https://management.azure.com/.default).")
    String scope;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Use the token in this file instead of detecting the source.")
    Path tokenFile;

    @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust this certificate, e.g. the local cloud's (default: $KEYLESS_AZURE_CA_FILE).")
    Path caFile;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        DoctorReport report = new DoctorReport("keyless doctor azure");
        String aud = audience != null ? audience : FederatedCredentialSpec.DEFAULT_AUDIENCE;
        TokenChecks.Result tokens = TokenChecks.run(report, environment, clock, tokenFile, aud);
        federatedCredential(report, tokens.token());
        exchange(report, tokens, aud);
        report.print(out(), json);
        return report.exitCode();
    }

    private void federatedCredential(DoctorReport report, Optional<IdentityToken> token) {
        Check step = report.add(new Check("federated-credential", "federated credential"));
        if (federatedCredential == null) {
            step.skip("no --federated-credential FILE (`az ad app federated-credential list --id APP`)");
            return;
        }
        Map<String, Object> fic;
        try {
            fic = Json.object(Files.readString(federatedCredential, StandardCharsets.UTF_8)).orElseThrow(() ->
                    new IOException("not a JSON object"));
        } catch (IOException e) {
            step.fail("Cannot read " + federatedCredential + ".", Diagnosis.builder("Cannot read the federated credential file "
                            + federatedCredential + ".")
                    .code("doctor.unreadable-file")
                    .evidence("file", federatedCredential)
                    .evidence("error", e.getMessage())
                    .fix("Pass the JSON Graph returns: `az ad app federated-credential show --id APP "
                            + "--federated-credential-id NAME > fic.json`.")
                    .build());
            return;
        }
        String issuer = string(fic, "issuer");
        String subject = string(fic, "subject");
        Object auds = fic.get("audiences");
        List<String> audiences = auds instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : List.of(FederatedCredentialSpec.DEFAULT_AUDIENCE);
        step.fact("issuer", issuer);
        step.fact("subject", subject == null ? "(flexible: claimsMatchingExpression)" : subject);
        step.fact("audiences", String.join(", ", audiences));
        if (token.isEmpty()) {
            step.skip("no token to compare");
            return;
        }
        IdentityToken t = token.get();
        if (issuer == null || !issuer.equals(t.issuer())) {
            boolean slash = issuer != null && t.issuer() != null
                    && issuer.replaceAll("/$", "").equals(t.issuer().replaceAll("/$", ""));
            step.fail("The credential's issuer is not the token's iss.", Diagnosis.builder(
                            "The federated credential's issuer does not equal the token's iss exactly.")
                    .code("azure.issuer-mismatch")
                    .likelyCause(slash ? "They differ only by a trailing slash, which Entra does not ignore."
                            : "The credential was made for another identity provider (GitHub Enterprise, GitLab self-managed, "
                            + "another cluster), or from a guess rather than from the token.")
                    .evidence("credential issuer", issuer)
                    .evidence("token iss", t.issuer())
                    .fix("Set the credential's issuer to exactly " + t.issuer() + ".")
                    .build());
        } else if (t.audience().stream().noneMatch(audiences::contains)) {
            step.fail("The token's aud is not the credential's audience.", Diagnosis.builder(
                            "The token's aud " + t.audience() + " is not the federated credential's audience.")
                    .code("azure.audience-mismatch")
                    .likelyCause("The token was requested for another audience than " + audiences.get(0) + ".")
                    .evidence("credential audiences", audiences)
                    .evidence("token aud", t.audience())
                    .fix("Request the token for " + audiences.get(0) + " (Keyless's default for Azure), or change the "
                            + "credential's audience.")
                    .build());
        } else if (subject != null && !subject.equals(t.subject())) {
            boolean caseOnly = subject.equalsIgnoreCase(String.valueOf(t.subject()));
            step.fail("The credential's subject is not the token's sub.", Diagnosis.builder(
                            "The federated credential's subject does not equal the token's sub" + (caseOnly ? " (they differ in case)." : "."))
                    .code(caseOnly ? "azure.subject-case-mismatch" : "azure.subject-mismatch")
                    .likelyCause(caseOnly ? "Entra compares subjects case-sensitively; GitHub keeps the repository's case."
                            : subjectHint(subject, t.subject()))
                    .evidence("credential subject", subject)
                    .evidence("token sub", t.subject())
                    .fix("Set the credential's subject to exactly " + t.subject() + " (or add a credential for it; an app "
                            + "holds up to 20): keyless azure federated-credential --from-job prints it.")
                    .build());
        } else if (subject == null) {
            try {
                FederatedCredentialSpec spec = FederatedCredentialSpec.builder(string(fic, "name") == null ? "doctor-check"
                                : string(fic, "name")).issuer(issuer).audience(audiences.get(0))
                        .claimsMatchingExpression(expression(fic)).build();
                if (spec.matches(t)) {
                    step.ok("the flexible credential matches the token");
                } else {
                    step.fail("The credential's claims matching expression does not match the token.", Diagnosis.builder(
                                    "The federated credential's claimsMatchingExpression does not match the token.")
                            .code("azure.no-matching-federated-credential")
                            .evidence("expression", expression(fic))
                            .evidence("token sub", t.subject())
                            .fix("Adjust the expression to match " + t.subject() + ".")
                            .build());
                }
            } catch (ConfigurationException e) {
                step.fail(e);
            }
        } else {
            step.ok("issuer, subject and audience match the token");
        }
    }

    private static String subjectHint(String expected, String actual) {
        if (actual == null) {
            return "The token has no sub.";
        }
        String e = expected.toLowerCase(Locale.ROOT);
        String a = actual.toLowerCase(Locale.ROOT);
        if (a.contains(":environment:") != e.contains(":environment:")) {
            return "A job that uses a GitHub environment has sub ...:environment:NAME instead of ...:ref:REF.";
        }
        if (a.contains("@") != e.contains("@")) {
            return "One uses the immutable repo:ORG@ID/REPO@ID form and the other the name form.";
        }
        return "The credential was made for another repository, branch, tag, environment or event than this job's.";
    }

    private static String expression(Map<String, Object> fic) {
        Object e = fic.get("claimsMatchingExpression");
        if (e instanceof Map<?, ?> m && m.get("value") != null) {
            return String.valueOf(m.get("value"));
        }
        return e == null ? null : String.valueOf(e);
    }

    private static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private void exchange(DoctorReport report, TokenChecks.Result tokens, String aud) {
        Check step = report.add(new Check("exchange", "Entra exchange"));
        String tenant = tenantId != null ? tenantId : environment.get("AZURE_TENANT_ID").orElse(null);
        String client = clientId != null ? clientId : environment.get("AZURE_CLIENT_ID").orElse(null);
        if (tenant == null || client == null) {
            step.skip("no --tenant-id/--client-id (or AZURE_TENANT_ID/AZURE_CLIENT_ID): pass them to try the exchange");
            return;
        }
        if (tokens.token().isEmpty()) {
            step.skip("no token to exchange");
            return;
        }
        String requested = scope != null ? scope : "https://management.azure.com/.default";
        step.fact("tenant", tenant);
        step.fact("client", client);
        step.fact("scope", requested);
        FederatedTokenCredential.Builder b = FederatedTokenCredential.builder()
                .tenantId(tenant)
                .clientId(client)
                .audience(aud)
                .tokenSource(tokens.source().orElseThrow())
                .environment(environment)
                .clock(clock);
        String authority = authorityHost != null ? authorityHost : environment.get("AZURE_AUTHORITY_HOST").orElse(null);
        if (authority != null) {
            b.authorityHost(authority);
            step.fact("authority", authority);
        }
        Path ca = caFile != null ? caFile : environment.get("KEYLESS_AZURE_CA_FILE").map(Path::of).orElse(null);
        try {
            if (ca != null) {
                b.httpClient(new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                        .sslContext(TlsTrust.sslContext(ca))).build());
            }
            try (FederatedTokenCredential credential = b.build()) {
                AccessToken token = credential.getTokenSync(new TokenRequestContext().addScopes(requested));
                step.fact("expires", token.getExpiresAt().toInstant());
                step.ok("Entra issued an access token for " + requested);
            }
        } catch (KeylessException e) {
            step.fail(e);
        }
    }
}
