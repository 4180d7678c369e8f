package dev.keyless.cli;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.gcp.AttributeConditionCheck;
import dev.keyless.gcp.WorkloadIdentityCredentials;
import dev.keyless.gcp.WorkloadIdentityProvider;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyless doctor gcp}: the provider name (number, not id; provider, not pool), the token for the provider's
 * audience, the audiences and attribute condition the provider checks (evaluated locally, clause by clause), the STS
 * exchange and the service account impersonation, each with a verdict and the fix.
 *
 * <p>By default: provider {@code KEYLESS_GCP_PROVIDER}, service account {@code KEYLESS_GCP_SERVICE_ACCOUNT}, audience
 * {@code https://iam.googleapis.com/<provider>}, Google's endpoints unless {@code KEYLESS_GCP_STS_URL} and
 * {@code KEYLESS_GCP_IAM_CREDENTIALS_URL} (and {@code KEYLESS_GCP_CA_FILE}) point at the local cloud.
 */
@Command(name = "gcp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Diagnose keyless Google Cloud access: provider name, token, audience, attribute condition, STS "
                + "exchange and service account impersonation.",
                "Example: keyless doctor gcp --provider projects/123456789/locations/global/workloadIdentityPools/ci/"
                        + "providers/github --service-account deploy@my-project.iam.gserviceaccount.com "
                        + "--attribute-condition \"assertion.repository == 'acme/app'\""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed (warnings and skipped checks allowed)",
                "1:a check failed: its diagnosis says what to fix", "2:bad usage", "3:an unexpected error"})
final class DoctorGcpCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--provider", paramLabel = "NAME", description = "projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (default: $KEYLESS_GCP_PROVIDER).")
    String provider;

    @Option(names = "--service-account", paramLabel = "EMAIL", description = "The service account to impersonate (default: $KEYLESS_GCP_SERVICE_ACCOUNT; none: federated token only).")
    String serviceAccount;

    @Option(names = "--audience", description = "The token audience (default: https://iam.googleapis.com/<provider>).")
    String audience;

    @Option(names = "--allowed-audience", paramLabel = "AUD", description = "An audience the provider allows (`gcloud iam workload-identity-pools providers describe ... --format='value(oidc.allowedAudiences)'`); repeatable. Default: the provider's default audiences.")
    List<String> allowedAudiences;

    @Option(names = "--attribute-condition", paramLabel = "CEL", description = "The provider's attribute condition, to evaluate against the token clause by clause.")
    String attributeCondition;

    @Option(names = "--attribute-mapping", paramLabel = "KEY=CEL", description = "The provider's attribute mapping, e.g. attribute.repository=assertion.repository; repeatable (default: google.subject=assertion.sub).")
    Map<String, String> attributeMapping;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Use the token in this file instead of detecting the source.")
    Path tokenFile;

    @Option(names = "--sts-url", paramLabel = "URL", description = "Google STS token URL override (default: $KEYLESS_GCP_STS_URL, else Google's).")
    String stsUrl;

    @Option(names = "--iam-credentials-url", paramLabel = "URL", description = "IAM Credentials root override (default: $KEYLESS_GCP_IAM_CREDENTIALS_URL, else Google's).")
    String iamCredentialsUrl;

    @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust this certificate, e.g. the local cloud's (default: $KEYLESS_GCP_CA_FILE).")
    Path caFile;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        DoctorReport report = new DoctorReport("keyless doctor gcp");
        Optional<WorkloadIdentityProvider> wip = provider(report);
        String aud = audience != null ? audience : wip.map(WorkloadIdentityProvider::defaultTokenAudience).orElse(null);
        TokenChecks.Result tokens;
        if (wip.isEmpty() && audience == null) {
            tokens = TokenChecks.run(report, environment, clock, tokenFile, null);
        } else {
            tokens = TokenChecks.run(report, environment, clock, tokenFile, aud);
        }
        audienceCheck(report, wip, tokens.token());
        conditionCheck(report, tokens.token());
        exchange(report, wip, tokens, aud);
        report.print(out(), json);
        return report.exitCode();
    }

    private Optional<WorkloadIdentityProvider> provider(DoctorReport report) {
        Check step = report.add(new Check("provider", "provider name"));
        String name = provider != null ? provider : environment.get("KEYLESS_GCP_PROVIDER").orElse(null);
        if (name == null) {
            step.fail("No workload identity provider given.", Diagnosis.builder("No workload identity provider given.")
                    .code("doctor.gcp-provider-missing")
                    .fix("Pass --provider projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/"
                            + "PROVIDER (or set KEYLESS_GCP_PROVIDER); `gcloud iam workload-identity-pools providers list "
                            + "--workload-identity-pool=POOL --location=global` lists them.")
                    .build());
            return Optional.empty();
        }
        try {
            WorkloadIdentityProvider p = WorkloadIdentityProvider.parse(name);
            step.ok(p.resourceName());
            step.fact("sts audience", p.stsAudience());
            step.fact("token audience", p.defaultTokenAudience());
            return Optional.of(p);
        } catch (KeylessException e) {
            step.fail(e);
            return Optional.empty();
        }
    }

    private void audienceCheck(DoctorReport report, Optional<WorkloadIdentityProvider> wip, Optional<IdentityToken> token) {
        Check step = report.add(new Check("audience", "allowed audience"));
        if (token.isEmpty() || wip.isEmpty()) {
            step.skip(token.isEmpty() ? "no token" : "no provider");
            return;
        }
        List<String> allowed = allowedAudiences != null && !allowedAudiences.isEmpty() ? allowedAudiences
                : List.of(wip.get().defaultTokenAudience(), "//iam.googleapis.com/" + wip.get().resourceName());
        step.fact("allowed", String.join(", ", allowed));
        if (token.get().audience().stream().anyMatch(allowed::contains)) {
            step.ok("the token's aud is allowed");
        } else {
            step.fail("The token's aud is not an audience the provider allows.", Diagnosis.builder(
                            "The token's aud " + token.get().audience() + " is not one of the provider's allowed audiences.")
                    .code("gcp.sts.audience-mismatch")
                    .likelyCause("The token was requested for another audience than the provider allows: by default a "
                            + "provider allows only https://iam.googleapis.com/<provider resource name>.")
                    .evidence("token aud", token.get().audience())
                    .evidence("allowed", allowed)
                    .fix("Request the token for " + allowed.get(0) + " (Keyless's default for this provider), or add the "
                            + "token's aud to the provider: gcloud iam workload-identity-pools providers update-oidc ... "
                            + "--allowed-audiences=...")
                    .build());
        }
    }

    private void conditionCheck(DoctorReport report, Optional<IdentityToken> token) {
        Check step = report.add(new Check("attribute-condition", "attribute condition"));
        if (attributeCondition == null) {
            step.skip("no --attribute-condition (`gcloud iam workload-identity-pools providers describe ... "
                    + "--format='value(attributeCondition)'`)");
            return;
        }
        if (token.isEmpty()) {
            step.skip("no token");
            return;
        }
        AttributeConditionCheck.Result r = AttributeConditionCheck.evaluate(attributeCondition, token.get().claims(),
                attributeMapping == null ? Map.of() : attributeMapping);
        for (AttributeConditionCheck.Clause c : r.clauses()) {
            step.note((c.rejects() ? "rejects: " : "holds:   ") + c);
        }
        if (!r.celAvailable()) {
            step.skip("CEL is not available to evaluate it");
        } else if (r.passed().orElse(false)) {
            step.ok("the condition holds for this token");
        } else {
            List<AttributeConditionCheck.Clause> failing = r.failing();
            Diagnosis.Builder d = Diagnosis.builder("The provider's attribute condition rejects this token.")
                    .code("gcp.sts.attribute-condition")
                    .likelyCause("Google's STS would answer \"unauthorized_client: The given credential is rejected by "
                            + "the attribute condition\".")
                    .evidence("condition", attributeCondition);
            for (int i = 0; i < failing.size(); i++) {
                d.evidence("failing clause" + (failing.size() == 1 ? "" : " #" + (i + 1)), failing.get(i));
            }
            token.get().claims().forEach((k, v) -> {
                if (attributeCondition.contains("assertion." + k) || attributeCondition.contains("assertion['" + k + "']")) {
                    d.evidence("token " + k, v);
                }
            });
            step.fail("The attribute condition rejects this token", d.fix("Make the failing clause true for this "
                    + "job's claims (compare them above), or run the job the condition is meant for.").build());
        }
    }

    private void exchange(DoctorReport report, Optional<WorkloadIdentityProvider> wip, TokenChecks.Result tokens, String aud) {
        Check sts = report.add(new Check("exchange", "Google STS"));
        Check impersonation = report.add(new Check("impersonation", "impersonation"));
        String sa = serviceAccount != null ? serviceAccount : environment.get("KEYLESS_GCP_SERVICE_ACCOUNT").orElse(null);
        if (wip.isEmpty() || tokens.token().isEmpty()) {
            sts.skip(wip.isEmpty() ? "no provider" : "no token to exchange");
            impersonation.skip("no federated token");
            return;
        }
        Optional<AccessToken> federated = token(sts, wip.get(), tokens, aud, null);
        if (federated.isEmpty()) {
            impersonation.skip("no federated token");
            return;
        }
        sts.ok("a federated access token was issued");
        if (sa == null) {
            impersonation.skip("no --service-account (or KEYLESS_GCP_SERVICE_ACCOUNT): the federated token is used directly");
            return;
        }
        impersonation.fact("service account", sa);
        if (token(impersonation, wip.get(), tokens, aud, sa).isPresent()) {
            impersonation.ok("generateAccessToken succeeded for " + sa);
        }
    }

    private Optional<AccessToken> token(Check step, WorkloadIdentityProvider wip, TokenChecks.Result tokens, String aud, String sa) {
        try {
            WorkloadIdentityCredentials.Builder b = WorkloadIdentityCredentials.builder()
                    .provider(wip)
                    .tokenSource(tokens.source().orElseThrow())
                    .tokenAudience(aud)
                    .clock(clock);
            if (sa != null) {
                b.serviceAccount(sa);
            }
            if (attributeCondition != null) {
                b.attributeCondition(attributeCondition);
            }
            if (attributeMapping != null) {
                b.attributeMapping(attributeMapping);
            }
            String sts = stsUrl != null ? stsUrl : environment.get("KEYLESS_GCP_STS_URL").orElse(null);
            if (sts != null) {
                b.tokenUrl(sts);
                step.fact("sts url", sts);
            }
            String iam = iamCredentialsUrl != null ? iamCredentialsUrl : environment.get("KEYLESS_GCP_IAM_CREDENTIALS_URL").orElse(null);
            if (iam != null) {
                b.iamCredentialsUrl(iam);
            }
            Path ca = caFile != null ? caFile : environment.get("KEYLESS_GCP_CA_FILE").map(Path::of).orElse(null);
            if (ca != null) {
                b.httpTransportFactory(transport(ca));
            }
            AccessToken t = b.build().accessToken();
            if (t.getExpirationTime() != null) {
                step.fact("expires", t.getExpirationTime().toInstant());
            }
            return Optional.of(t);
        } catch (KeylessException e) {
            step.fail(e);
            return Optional.empty();
        }
    }

    private static HttpTransportFactory transport(Path ca) {
        try {
            NetHttpTransport net = new NetHttpTransport.Builder().trustCertificates(TlsTrust.keyStore(ca)).build();
            return () -> net;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build an HTTP transport trusting " + ca, e);
        }
    }

}
