package dev.keyless.aws;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.keyless.core.arch.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** keyless-aws's boundaries: no other cloud, internal types stay internal, time and environment injected. */
class AwsArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importAws() {
        production = ArchitectureRules.production(WebIdentityCredentialsProvider.class);
    }

    @Test
    void knowsNoOtherCloud() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("com.google..", "com.azure..", "dev.keyless.gcp..",
                "dev.keyless.azure..", "dev.keyless.testkit..", "dev.keyless.cli..").check(production);
    }

    @Test
    void publicApiDoesNotExposeInternalTypes() {
        ArchitectureRules.internalTypesStayOutOfPublicSignatures(production);
    }

    @Test
    void readsNoEnvironmentDirectly() {
        ArchitectureRules.onlyAdaptersReadTheEnvironment(production);
    }

    @Test
    void timeComesFromAnInjectedClock() {
        ArchitectureRules.timeComesFromAnInjectedClock(production);
    }
}
