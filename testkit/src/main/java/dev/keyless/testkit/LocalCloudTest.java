package dev.keyless.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class or method with a {@link LocalCloud}: parameters of type {@link LocalCloud},
 * {@link LocalIssuer}, {@link GitHubTokenEndpoint}, {@link LocalSts}, {@link java.time.Clock} and {@link MutableClock} (and services a
 * {@link #customizers() customizer} adds) are resolved from a cloud started on random loopback ports the first
 * time one is asked for, and stopped when the test (or, for {@code @BeforeAll} parameters, the class) ends.
 *
 * <p>By default: the demo setup of {@link LocalCloud#startDefault()}, and a {@link MutableClock} starting at the
 * current time, so that the test controls token and credential expiry.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LocalCloudExtension.class)
public @interface LocalCloudTest {
    /** Whether to register the demo provider and role. By default, true. */
    boolean defaultSetup() default true;

    /** Whether the cloud runs on a {@link MutableClock} (true, the default) or the system clock. */
    boolean mutableClock() default true;

    /** The AWS account id. By default, 123456789012. */
    String accountId() default LocalSts.DEFAULT_ACCOUNT;

    /** The issuer's signing algorithm. By default, RS256. */
    SigningAlgorithm algorithm() default SigningAlgorithm.RS256;

    /** Customizers applied, in order, before the cloud starts. */
    Class<? extends LocalCloudCustomizer>[] customizers() default {};
}
