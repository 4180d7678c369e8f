/**
 * IAM role trust policies for web identity federation: parse, evaluate as IAM does for
 * {@code sts:AssumeRoleWithWebIdentity}, explain a denial, lint, and generate least-privilege policies.
 *
 * <p>The usual entry points are {@link dev.keyless.aws.trust.TrustPolicy#parse(String)},
 * {@link dev.keyless.aws.trust.TrustPolicy#evaluate(dev.keyless.core.IdentityToken)} followed by
 * {@link dev.keyless.aws.trust.TrustEvaluation#explain()}, {@link dev.keyless.aws.trust.TrustPolicyLinter} and
 * {@link dev.keyless.aws.trust.TrustPolicies}.
 */
package dev.keyless.aws.trust;
