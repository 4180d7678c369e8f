package dev.keyless.aws.internal.sts;

import dev.keyless.aws.AwsExchangeException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Turns an STS failure into an {@link AwsExchangeException} with a diagnosis: what STS said, the claims that were
 * presented (never the token), the most likely cause and the fix. Also decides what is worth retrying.
 */
public final class StsFailures {
    private StsFailures() {
    }

    /** What the provider knew about the call that failed; {@code token} may be null when the token never came. */
    public record Attempt(String action, String roleArn, IdentityToken token, String tokenSource, Duration duration,
                          Function<IdentityToken, Optional<Diagnosis>> trustExplainer) {
    }

    public static AwsExchangeException diagnose(SdkException e, Attempt a) {
        if (e instanceof StsException && ((StsException) e).awsErrorDetails() != null) {
            StsException s = (StsException) e;
            String code = s.awsErrorDetails().errorCode();
            String message = s.awsErrorDetails().errorMessage();
            return fromCode(code == null ? "" : code, message == null ? "" : message, s.statusCode(), a, e);
        }
        if (e instanceof StsException) {
            return fromCode("", String.valueOf(e.getMessage()), ((StsException) e).statusCode(), a, e);
        }
        boolean client = e instanceof SdkClientException;
        if (client && String.valueOf(e.getMessage()).contains("Unable to unmarshall response")) {
            return malformed(a, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()), e);
        }
        return new AwsExchangeException(null, Diagnosis.builder("Could not complete " + a.action() + " with AWS STS.")
                .code("aws.sts.unreachable")
                .likelyCause(client ? "The STS endpoint could not be reached (network, proxy, DNS) or did not answer in time."
                        : "The AWS SDK failed before STS answered.")
                .evidence("role", a.roleArn())
                .evidence("error", e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()))
                .fix("Check network access to the STS endpoint (https://sts.<region>.amazonaws.com) and any HTTPS proxy "
                        + "settings; it is retried automatically.")
                .build(), true, e);
    }

    /**
     * STS's endpoint answered, but not with a usable STS document: an HTML page, another format, a cut-off or empty
     * document. Retryable: it is usually a proxy or a glitch between this machine and STS.
     *
     * @param detail what was wrong with the answer (never its content, which a proxy may fill with anything)
     */
    public static AwsExchangeException malformed(Attempt a, String detail, Throwable cause) {
        return new AwsExchangeException(null, Diagnosis.builder("AWS STS answered " + a.action()
                        + ", but not with a usable STS response.")
                .code("aws.sts.malformed-response")
                .likelyCause("Something between this machine and STS answered instead of it (an HTTPS proxy, a captive "
                        + "portal, a firewall's block page), or the response was cut short.")
                .evidence("role", a.roleArn())
                .evidence("error", detail)
                .fix("Check the STS endpoint (region, stsEndpoint) and any HTTPS proxy between this machine and "
                        + "https://sts.<region>.amazonaws.com; it is retried automatically.")
                .build(), true, cause);
    }

    /** Whether the failure is one that the same request may overcome later (the exchange retries these). */
    public static boolean isTransient(String code, String message, int status) {
        String c = code.toLowerCase(Locale.ROOT);
        return status >= 500
                || c.equals("idpcommunicationerror")
                || c.contains("throttl") || c.equals("requestlimitexceeded")
                || c.equals("internalfailure") || c.equals("serviceunavailable")
                || (c.equals("invalididentitytoken") && message.contains("Couldn't retrieve verification key"));
    }

    private static AwsExchangeException fromCode(String code, String message, int status, Attempt a, SdkException cause) {
        Diagnosis.Builder d;
        boolean retryable = isTransient(code, message, status);
        switch (code) {
            case "AccessDenied" -> {
                Optional<Diagnosis> explained = a.token() == null || a.trustExplainer() == null
                        ? Optional.empty() : a.trustExplainer().apply(a.token());
                if (explained.isPresent()) {
                    d = explained.get().toBuilder();
                } else {
                    d = Diagnosis.builder("AWS STS refused " + a.action() + ": the role's trust policy does not accept this token.")
                            .code("aws.sts.access-denied")
                            .likelyCause("The trust policy's conditions do not match the token's claims: most often a typo in the "
                                    + "repository name of the sub condition, a missing ':*', a branch or environment other "
                                    + "than the one the job runs on, the wrong audience, or a Federated principal naming "
                                    + "another OIDC provider.")
                            .fix("Compare the sub and aud below with the role's trust policy condition keys "
                                    + "(<provider host>:sub, <provider host>:aud), or run "
                                    + "`keyless doctor aws --role-arn " + a.roleArn() + " --trust-policy trust.json` to have "
                                    + "the policy evaluated against this token.");
                }
            }
            case "InvalidIdentityToken" -> d = invalidToken(message, a);
            case "ExpiredTokenException", "ExpiredToken" -> d = Diagnosis.builder("AWS STS rejected the identity token as expired.")
                    .code("aws.sts.expired-token")
                    .likelyCause("The token was used after its exp: a token reused past its short lifetime (GitHub's live 5 "
                            + "minutes), or this machine's clock is behind.")
                    .fix("Keyless fetches a fresh token for every exchange; if this persists, check the clock (NTP) of this "
                            + "machine and of the token issuer.");
            case "IDPCommunicationError" -> d = Diagnosis.builder("AWS STS could not reach the identity provider to verify the token.")
                    .code("aws.sts.idp-communication")
                    .likelyCause("The issuer's OIDC discovery or JWKS endpoint was slow or unavailable to AWS.")
                    .fix("Transient: retried automatically. If it persists, check that the issuer's "
                            + "/.well-known/openid-configuration and jwks_uri are publicly reachable over HTTPS.");
            case "RegionDisabledException" -> d = Diagnosis.builder("STS is not activated in this region for the account.")
                    .code("aws.sts.region-disabled")
                    .fix("Activate STS for the region in IAM > Account settings > Security Token Service (STS), or use "
                            + "another region's endpoint.");
            case "PackedPolicyTooLarge" -> d = Diagnosis.builder("The session policies are too large for STS.")
                    .code("aws.sts.packed-policy-too-large")
                    .likelyCause("The inline session policy and managed policy ARNs exceed the packed size limit.")
                    .fix("Shorten the inline session policy (remove whitespace, merge statements) or move it into a managed "
                            + "policy passed by ARN.");
            case "MalformedPolicyDocument" -> d = Diagnosis.builder("STS rejected the session policy as malformed.")
                    .code("aws.sts.malformed-policy")
                    .fix("Validate the inline session policy JSON (Version, Statement, Effect, Action, Resource); "
                            + "IAM Access Analyzer's policy validation shows the exact error.");
            case "ValidationError" -> d = validation(message, a);
            default -> d = Diagnosis.builder("AWS STS failed " + a.action() + (code.isEmpty() ? "." : " with " + code + "."))
                    .code(retryable ? "aws.sts.transient" : "aws.sts.error")
                    .likelyCause(retryable ? "STS is throttling or temporarily unavailable." : null)
                    .fix(retryable ? "Transient: retried automatically with backoff." : "See STS's message below.");
        }
        d.evidence("sts error code", code.isEmpty() ? "(none)" : code)
                .evidence("sts message", firstLine(message))
                .evidence("http status", status)
                .evidence("role", a.roleArn());
        if (a.token() != null) {
            IdentityToken t = a.token();
            d.evidence("token iss", t.issuer()).evidence("token sub", t.subject()).evidence("token aud", t.audience());
            t.expiresAt().ifPresent(exp -> d.evidence("token exp", exp));
        }
        if (a.tokenSource() != null) {
            d.evidence("token source", a.tokenSource());
        }
        return new AwsExchangeException(code.isEmpty() ? null : code, d.build(), retryable, cause);
    }

    private static Diagnosis.Builder invalidToken(String message, Attempt a) {
        String iss = a.token() == null ? "<issuer>" : a.token().issuer();
        if (message.contains("No OpenIDConnect provider found")) {
            return Diagnosis.builder("AWS has no IAM OIDC identity provider for the token's issuer.")
                    .code("aws.sts.no-oidc-provider")
                    .likelyCause("The provider was never created in this account, or was created with a different URL "
                            + "(a trailing slash, http instead of https, a GitHub Enterprise issuer).")
                    .fix("Create it: aws iam create-open-id-connect-provider --url " + iss
                            + " --client-id-list sts.amazonaws.com (the URL must equal the token's iss exactly).");
        }
        if (message.contains("Incorrect token audience")) {
            return Diagnosis.builder("The token's audience is not one of the OIDC provider's client ids (audiences).")
                    .code("aws.sts.wrong-audience")
                    .likelyCause("The job requested a different audience than the provider allows: GitHub's default audience is "
                            + "https://github.com/<owner> unless sts.amazonaws.com is requested.")
                    .fix("Request the audience registered on the provider (Keyless's default is sts.amazonaws.com), or add the "
                            + "token's aud to the provider: aws iam add-client-id-to-open-id-connect-provider.");
        }
        if (message.contains("Couldn't retrieve verification key")) {
            return Diagnosis.builder("AWS could not fetch the issuer's signing keys (JWKS) to verify the token.")
                    .code("aws.sts.jwks-unavailable")
                    .fix("Transient: retried automatically. If it persists, check that the issuer's jwks_uri is reachable.");
        }
        return Diagnosis.builder("AWS STS rejected the identity token as invalid.")
                .code("aws.sts.invalid-token")
                .likelyCause("The signature did not verify against the issuer's keys, or a required claim is missing or wrong.")
                .fix("Check that the IAM OIDC provider URL equals the token's iss, and that the token comes from that issuer.");
    }

    private static Diagnosis.Builder validation(String message, Attempt a) {
        if (message.contains("DurationSeconds exceeds the MaxSessionDuration")
                || message.contains("DurationSeconds exceeds the 1 hour session limit")) {
            boolean chained = message.contains("1 hour");
            return Diagnosis.builder("The requested session duration is longer than the role allows.")
                    .code("aws.sts.duration-too-long")
                    .evidence("requested duration", a.duration() == null ? null : a.duration().toSeconds() + " s")
                    .fix(chained ? "Role chaining is limited to 1 hour: request at most 3600 seconds."
                            : "Request a shorter duration, or raise the role's maximum session duration: "
                            + "aws iam update-role --role-name <name> --max-session-duration <seconds> (up to 43200).");
        }
        if (message.toLowerCase(Locale.ROOT).contains("rolesessionname")) {
            return Diagnosis.builder("STS rejected the role session name.")
                    .code("aws.sts.invalid-session-name")
                    .fix("Use 2 to 64 characters of letters, digits and + = , . @ - _ .");
        }
        return Diagnosis.builder("STS rejected a parameter of " + a.action() + ".")
                .code("aws.sts.validation")
                .fix("See STS's message below: it names the parameter and the constraint.");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(none)";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 400 ? line.substring(0, 400) + "..." : line;
    }
}
