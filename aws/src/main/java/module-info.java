/** Keyless for AWS: credentials providers on STS AssumeRoleWithWebIdentity, role chaining, trust policies. */
module dev.keyless.aws {
    requires transitive dev.keyless.core;
    requires transitive software.amazon.awssdk.auth;
    requires transitive software.amazon.awssdk.services.sts;
    requires transitive software.amazon.awssdk.utils;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.identity.spi;
    requires org.slf4j;

    exports dev.keyless.aws;
    exports dev.keyless.aws.trust;
}
